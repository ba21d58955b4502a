# SPDX-License-Identifier: GPL-3.0-or-later
"""Driving the real app through AT-SPI and XTest (xdotool), for the UI tests
that walk it as a person would. Needs Debian's /usr/bin/python3 with
python3-gi and gir1.2-atspi-2.0; `missing()` says what is not there.

`env` is the environment to start the app in: X11 (xdotool reaches only
X), cairo drawing, and the accessibility bridge on.
"""

import os
import shutil
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

try:
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi
    _IMPORT_ERROR = None
except (ImportError, ValueError) as error:
    Atspi = None
    _IMPORT_ERROR = error

env = dict(os.environ, GDK_BACKEND="x11", GSK_RENDERER="cairo")
env.pop("NO_AT_BRIDGE", None)


def missing(xdotool_too=True):
    """Why these tests cannot run here, or None."""
    if xdotool_too and shutil.which("xdotool") is None:
        return "xdotool is not installed"
    if _IMPORT_ERROR is not None:
        return f"no AT-SPI Python bindings ({_IMPORT_ERROR}); install python3-gi gir1.2-atspi-2.0"
    return None


def walk(node, depth=0, last_first=False):
    yield node
    if depth > 40:
        return
    try:
        count = node.get_child_count()
    except Exception:
        return
    for i in (reversed(range(count)) if last_first else range(count)):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            # A page rebuilt after a rescan drops its children while they
            # are walked ("The application no longer exists"): skip them.
            continue
        if child is not None:
            yield from walk(child, depth + 1, last_first)


def find_app(process=None):
    """The app on the accessibility bus; with @process, that very process
    (and an error as soon as it exits)."""
    end = time.time() + PATIENCE
    while time.time() < end:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the app exited with status {process.returncode}")
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            if (app is not None and app.get_name() == "passthrough" and
                    (process is None or app.get_process_id() == process.pid)):
                return app
        time.sleep(0.1)
    raise AssertionError("the app never appeared on the accessibility bus")


# Under a loaded 2-core CI machine a review can take more than 15 s to open;
# what is there is found at once, so a long limit costs only failing runs.
PATIENCE = 45


def find(root, role=None, name=None, contains=None, timeout=PATIENCE, shown=False,
         last_first=False):
    end = time.time() + timeout
    while time.time() < end:
        # The client caches the tree; pages rebuilt since must be read anew.
        root.clear_cache()
        for node in walk(root, last_first=last_first):
            try:
                if role and node.get_role_name() != role:
                    continue
                if shown and not showing(node):
                    continue
                label = node.get_name() or ""
                if name is not None and label != name:
                    continue
                if contains is not None and contains not in label:
                    continue
                return node
            except Exception:
                continue
        time.sleep(0.2)
    raise AssertionError(f"nothing on screen with role={role} name={name} contains={contains}")


def showing(node):
    try:
        return node.get_state_set().contains(Atspi.StateType.SHOWING)
    except Exception:
        return False


def find_window(app, contains, timeout=PATIENCE):
    """The top-level window that shows @contains (buttons repeat across windows)."""
    end = time.time() + timeout
    while time.time() < end:
        app.clear_cache()
        for i in range(app.get_child_count()):
            window = app.get_child_at_index(i)
            try:
                if window is not None and any(contains in (n.get_name() or "") for n in walk(window)):
                    return window
            except Exception:
                # A window closing while it is walked (a dialog that just
                # answered) is "no longer there": look at the next one.
                continue
        time.sleep(0.2)
    raise AssertionError(f"no window shows {contains}")


def gone(root, contains, timeout=PATIENCE):
    """Not shown any more (recycled list rows may linger in the tree, hidden)."""
    end = time.time() + timeout
    while time.time() < end:
        if not any(contains in (n.get_name() or "") and showing(n) for n in walk(root)):
            return
        time.sleep(0.2)
    raise AssertionError(f"still on screen: {contains}")


def xdotool(*args):
    """XTest input; xdotool's own messages go to stderr, never into the TAP stream."""
    subprocess.run(["xdotool", *args], env=env, stdout=sys.stderr, check=True)


def settled_extents(node, timeout=PATIENCE):
    """Where @node sits once it has stopped moving: a page sliding in (the
    leaflet's transition) reports coordinates left of the window until it
    lands, and a loaded machine draws those frames slowly."""
    component = node.get_component_iface()
    last = None
    end = time.time() + timeout
    while time.time() < end:
        extents = component.get_extents(Atspi.CoordType.WINDOW)
        here = (extents.x, extents.y, extents.width, extents.height)
        if here == last and extents.x >= 0 and extents.y >= 0 and extents.width > 0:
            return extents
        last = here
        time.sleep(0.15)
    raise AssertionError(f"{node.get_role_name()} “{node.get_name()}” never settled "
                         f"inside the window (last at {last})")


def click(node):
    action = node.get_action_iface()
    if action is not None:
        for i in range(action.get_n_actions()):
            if action.get_action_name(i) in ("click", "activate", "press", "toggle"):
                action.do_action(i)
                return
    # List items have no actions in GTK 4.8: click them with XTest. Without
    # a window manager every window sits at 0,0, so window coordinates are
    # screen coordinates.
    extents = settled_extents(node)
    x, y = extents.x + min(extents.width // 2, 40), extents.y + extents.height // 2
    xdotool("mousemove", "--", str(x), str(y), "click", "1")


def type_into(entry, text):
    """Keyboard input through XTest: GTK 4.8 does not take text over AT-SPI."""
    extents = settled_extents(entry)
    xdotool("mousemove", "--", str(extents.x + 20),
                    str(extents.y + extents.height // 2), "click", "1")
    xdotool("type", "--delay", "50", text)


def retype(entry, text):
    """Replaces what the entry holds (clicked with the mouse: its AT-SPI
    action would activate it, which opens the first match)."""
    type_into(entry, "")
    xdotool("key", "--clearmodifiers", "ctrl+a", "BackSpace")
    if text:
        xdotool("type", "--delay", "50", text)


def absent(root, name, timeout=PATIENCE):
    """No node with exactly this name (any more)."""
    end = time.time() + timeout
    while time.time() < end:
        root.clear_cache()
        if not any(n.get_name() == name for n in walk(root)):
            return
        time.sleep(0.2)
    raise AssertionError(f"still there: {name}")


def focus_window(title):
    """Gives the keyboard to the top-level window called @title: without a
    window manager nothing does when a dialog opens."""
    windows = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                             env=env, capture_output=True, text=True).stdout.split()
    assert windows, f"no window called {title}"
    xdotool("windowfocus", "--sync", windows[-1])
