/* pt-json-writer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef struct _PtJsonWriter PtJsonWriter;

PtJsonWriter *pt_json_writer_new          (gboolean            pretty);
PtJsonWriter *pt_json_writer_new_for_stream (FILE               *stream,
                                             gboolean            pretty);
gboolean      pt_json_writer_close        (PtJsonWriter       *self);
void          pt_json_writer_begin_object (PtJsonWriter       *self);
void          pt_json_writer_end_object   (PtJsonWriter       *self);
void          pt_json_writer_begin_array  (PtJsonWriter       *self);
void          pt_json_writer_end_array    (PtJsonWriter       *self);
void          pt_json_writer_key          (PtJsonWriter       *self,
                                           const char         *key);
void          pt_json_writer_string       (PtJsonWriter       *self,
                                           const char         *value);
void          pt_json_writer_int          (PtJsonWriter       *self,
                                           gint64              value);
void          pt_json_writer_bool         (PtJsonWriter       *self,
                                           gboolean            value);
void          pt_json_writer_null         (PtJsonWriter       *self);
void          pt_json_writer_strv         (PtJsonWriter       *self,
                                           const char * const *values);
char         *pt_json_writer_free_to_string (PtJsonWriter     *self);
void          pt_json_writer_free         (PtJsonWriter       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtJsonWriter, pt_json_writer_free)

G_END_DECLS
