#!/usr/bin/env python3
# test-install.py
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install the build into a temporary DESTDIR and check the installed layout.

Usage: test-install.py BUILD_DIR

Runs `meson install --no-rebuild --destdir TMP -C BUILD_DIR` and checks that
the binaries, the desktop file, the metainfo, the icons, the GSettings schema,
the polkit policy and the help land where distributions expect them under the
prefix, named after the application id (org.example.Passthrough, or
org.example.Passthrough.Devel for a development build), and that the files
refer to each other correctly (and, with appstreamcli, that AppStream accepts
the installed tree). Prints TAP.
"""

import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SCHEMA_ID = "org.example.Passthrough"
POLICY = "org.example.Passthrough.policy"
POLKIT_ACTIONS = {
    "org.example.Passthrough.bind-devices": "bind-devices",
    "org.example.Passthrough.bind-devices-force": "bind-devices-force",
    "org.example.Passthrough.configure-boot": "configure-boot",
    "org.example.Passthrough.sriov": "sriov",
}
HELP_FILES = ["index.page", "getting-started.page", "give-device.page", "legal.xml"]


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, passed, name, diagnostic=None):
        self.count += 1
        print(f"{'ok' if passed else 'not ok'} {self.count} - {name}")
        if not passed:
            self.failed += 1
            if diagnostic:
                for line in str(diagnostic).splitlines():
                    print(f"# {line}")
        return passed

    def skip(self, name, reason):
        self.count += 1
        print(f"ok {self.count} - {name} # SKIP {reason}")

    def finish(self):
        print(f"1..{self.count}")
        return 1 if self.failed else 0


def build_options(build):
    path = os.path.join(build, "meson-info", "intro-buildoptions.json")
    with open(path, encoding="utf-8") as f:
        return {option["name"]: option["value"] for option in json.load(f)}


def under(prefix, directory):
    """A directory option as an absolute path (it may be relative to the prefix)."""
    return os.path.normpath(os.path.join(prefix, directory))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    build = os.path.abspath(sys.argv[1])
    tap = Tap()

    options = build_options(build)
    prefix = options["prefix"]
    bindir = under(prefix, options["bindir"])
    datadir = under(prefix, options["datadir"])
    libexecdir = under(prefix, options["libexecdir"])
    gui = options.get("gui", True)
    app_id = SCHEMA_ID + (".Devel" if options.get("development", False) else "")

    meson = shutil.which("meson")
    if meson is None:
        print("Bail out! meson is not in PATH")
        return 1

    with tempfile.TemporaryDirectory(prefix="pt-install-") as destdir:
        result = subprocess.run(
            [meson, "install", "-C", build, "--no-rebuild", "--destdir", destdir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, LC_ALL="C.UTF-8"))
        if not tap.ok(result.returncode == 0, "meson install --destdir", result.stdout):
            print("Bail out! nothing was installed")
            return 1

        def staged(path):
            return destdir + path

        def installed(path, name=None, executable=False):
            name = name or path
            full = staged(path)
            exists = os.path.isfile(full) and (not executable or os.access(full, os.X_OK))
            return tap.ok(exists, f"installed: {name}",
                          f"{path} is missing" + (" or not executable" if executable else ""))

        # Nothing lands outside the prefix.
        stray = []
        for root, _dirs, files in os.walk(destdir):
            for name in files:
                path = os.path.join(root, name)[len(destdir):]
                if not path.startswith(prefix.rstrip("/") + "/"):
                    stray.append(path)
        tap.ok(not stray, f"everything is installed under {prefix}", "\n".join(stray))

        # Binaries
        installed(os.path.join(bindir, "passthroughctl"), "bin/passthroughctl", executable=True)
        if gui:
            installed(os.path.join(bindir, "passthrough"), "bin/passthrough", executable=True)
        else:
            tap.skip("installed: bin/passthrough", "built with -Dgui=false")

        # Desktop file, metainfo, icons: only with the GTK application.
        desktop = os.path.join(datadir, "applications", app_id + ".desktop")
        metainfo = os.path.join(datadir, "metainfo", app_id + ".metainfo.xml")
        icons = [
            os.path.join(datadir, "icons", "hicolor", "scalable", "apps", app_id + ".svg"),
            os.path.join(datadir, "icons", "hicolor", "symbolic", "apps", app_id + "-symbolic.svg"),
        ]
        if not gui:
            for path in [desktop, metainfo] + icons:
                tap.skip(f"installed: {os.path.relpath(path, prefix)}", "built with -Dgui=false")
        else:
            if installed(desktop, os.path.relpath(desktop, prefix)):
                entry = configparser.ConfigParser(interpolation=None, strict=False)
                entry.optionxform = str
                entry.read(staged(desktop), encoding="utf-8")
                group = entry["Desktop Entry"]
                program = group.get("Exec", "").split()[0] if group.get("Exec") else ""
                tap.ok(os.path.isfile(staged(os.path.join(bindir, program))) if program else False,
                       "desktop file: Exec names an installed program", f"Exec={group.get('Exec')}")
                tap.ok(group.get("Icon") == app_id, "desktop file: Icon is the application id",
                       f"Icon={group.get('Icon')}, expected {app_id}")

            if installed(metainfo, os.path.relpath(metainfo, prefix)):
                component = ET.parse(staged(metainfo)).getroot()
                tap.ok(component.findtext("id") == app_id, "metainfo: id is the application id",
                       f"id={component.findtext('id')}")
                launchable = component.findtext("launchable[@type='desktop-id']")
                tap.ok(launchable == app_id + ".desktop" and os.path.isfile(staged(desktop)),
                       "metainfo: launchable is the installed desktop file",
                       f"launchable={launchable}")
                binaries = [b.text for b in component.findall("provides/binary")]
                missing = [b for b in binaries if not os.path.isfile(staged(os.path.join(bindir, b)))]
                tap.ok(binaries and not missing, "metainfo: provided binaries are installed",
                       f"provides {binaries}, missing {missing}")

            for icon in icons:
                if installed(icon, os.path.relpath(icon, prefix)):
                    try:
                        root = ET.parse(staged(icon)).getroot()
                        is_svg = root.tag == "{http://www.w3.org/2000/svg}svg"
                    except ET.ParseError as error:
                        is_svg, root = False, error
                    tap.ok(is_svg, f"icon is an SVG document: {os.path.basename(icon)}", root)

            # AppStream's view of the installed tree: metainfo, desktop file and icon together.
            appstreamcli = shutil.which("appstreamcli")
            if appstreamcli is None:
                tap.skip("appstreamcli validate-tree", "appstreamcli is not installed")
            else:
                check = subprocess.run([appstreamcli, "validate-tree", "--no-net", staged(prefix)],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                tap.ok(check.returncode == 0, "appstreamcli validate-tree on the installed prefix",
                       check.stdout)

        # GSettings schema: its id and file name stay org.example.Passthrough.
        schema = os.path.join(datadir, "glib-2.0", "schemas", SCHEMA_ID + ".gschema.xml")
        installed(schema, os.path.relpath(schema, prefix))

        # The privileged helper, in libexecdir where the policy names it; never its test builds.
        helper_path = os.path.join(libexecdir, "passthrough-helper")
        if installed(helper_path, os.path.relpath(helper_path, prefix), executable=True):
            r = subprocess.run([staged(helper_path), "configure-boot", "history"],
                               capture_output=True, text=True)
            tap.ok(r.returncode == 0, "the installed helper runs (configure-boot history)", r.stderr)
        test_builds = [os.path.join(r, n) for r, _d, names in os.walk(destdir) for n in names
                       if n.startswith("passthrough-helper-test")]
        tap.ok(not test_builds, "the helper's test builds are not installed", "\n".join(test_builds))

        # ssh's askpass for the app's qemu+ssh:// connections, where the app looks for it;
        # run by hand it says it is not meant to be.
        askpass = os.path.join(libexecdir, "passthrough", "passthrough-askpass")
        if installed(askpass, os.path.relpath(askpass, prefix), executable=True):
            r = subprocess.run([staged(askpass)], capture_output=True, text=True)
            tap.ok(r.returncode == 2 and "not run by hand" in r.stderr,
                   "the installed askpass refuses to run without ssh's question", r.stderr)

        # polkit policy: every action runs the helper in libexecdir, one verb group each.
        policy = os.path.join(datadir, "polkit-1", "actions", POLICY)
        if installed(policy, os.path.relpath(policy, prefix)):
            helper = os.path.join(libexecdir, "passthrough-helper")
            actions = {}
            for action in ET.parse(staged(policy)).getroot().findall("action"):
                annotations = {a.get("key"): a.text for a in action.findall("annotate")}
                actions[action.get("id")] = annotations
            tap.ok(sorted(actions) == sorted(POLKIT_ACTIONS), "policy: the four helper actions",
                   f"found {sorted(actions)}")
            for action_id, verb in POLKIT_ACTIONS.items():
                annotations = actions.get(action_id, {})
                path = annotations.get("org.freedesktop.policykit.exec.path")
                argv1 = annotations.get("org.freedesktop.policykit.exec.argv1")
                tap.ok(path == helper and argv1 == verb,
                       f"policy: {action_id} runs {helper} {verb}",
                       f"exec.path={path}, exec.argv1={argv1}")

        # Help, opened as help:passthrough
        for name in HELP_FILES:
            page = os.path.join(datadir, "help", "C", "passthrough", name)
            installed(page, os.path.relpath(page, prefix))

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
