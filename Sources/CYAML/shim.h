// SPDX-License-Identifier: Apache-2.0
// libyaml for lossd, plus a budgeted read handler. Imported (internally) by LossdConfig only.
#ifndef LOSSD_CYAML_SHIM_H
#define LOSSD_CYAML_SHIM_H

#include <yaml.h>
#include <string.h>

/// Why lossd_yaml_read stopped the input early (`lossd_yaml_input.exceeded`).
enum {
    LOSSD_YAML_WITHIN_LIMITS = 0,
    LOSSD_YAML_TOO_DEEP = 1,
    LOSSD_YAML_TOO_MANY_NODES = 2,
    LOSSD_YAML_TOO_MANY_ANCHORS = 3,
};

/// The bytes libyaml reads through lossd_yaml_read, and the budgets checked between reads.
///
/// libyaml pulls input only when its buffer runs low, so handing it at most `chunk` bytes per call
/// lets the handler look at the parser's progress every `chunk` bytes and stop a hostile document
/// (a flow nesting a million deep, which libyaml scans in quadratic time; millions of nodes; many
/// anchors, which libyaml's loader looks up linearly) long before it costs time or memory.
/// Owned by the caller, who keeps `bytes` and `parser` alive while libyaml reads.
typedef struct lossd_yaml_input {
    const unsigned char *bytes;
    size_t length;
    size_t offset;
    size_t chunk;
    yaml_parser_t *parser;
    /// Flow levels plus block indentation levels.
    long max_depth;
    /// Nodes of the document being loaded.
    long max_nodes;
    /// Anchors of the document being loaded.
    long max_anchors;
    /// LOSSD_YAML_WITHIN_LIMITS, or the budget that stopped the read.
    int exceeded;
} lossd_yaml_input;

/// A yaml_read_handler_t: copies the next chunk of `input->bytes` unless a budget is spent, in
/// which case it records which one and fails the read (libyaml then reports a reader error).
static inline int lossd_yaml_read(void *data, unsigned char *buffer, size_t size, size_t *size_read) {
    lossd_yaml_input *input = (lossd_yaml_input *)data;
    const yaml_parser_t *parser = input->parser;
    long depth = (long)parser->flow_level + (long)(parser->indents.top - parser->indents.start);
    if (depth > input->max_depth) {
        input->exceeded = LOSSD_YAML_TOO_DEEP;
        return 0;
    }
    if (parser->document != NULL && (long)(parser->document->nodes.top - parser->document->nodes.start) > input->max_nodes) {
        input->exceeded = LOSSD_YAML_TOO_MANY_NODES;
        return 0;
    }
    if (parser->document != NULL && parser->aliases.start != NULL
        && (long)(parser->aliases.top - parser->aliases.start) > input->max_anchors) {
        input->exceeded = LOSSD_YAML_TOO_MANY_ANCHORS;
        return 0;
    }
    size_t count = input->length - input->offset;
    if (count > size) count = size;
    if (count > input->chunk) count = input->chunk;
    if (count > 0) memcpy(buffer, input->bytes + input->offset, count);
    input->offset += count;
    *size_read = count;
    return 1;
}

/// The handler as a function pointer value, for yaml_parser_set_input.
static inline yaml_read_handler_t *lossd_yaml_read_handler(void) { return lossd_yaml_read; }

/// What lossd_yaml_scan found.
enum {
    LOSSD_SCAN_OK = 0,
    LOSSD_SCAN_INVALID_UTF8 = 1,
    LOSSD_SCAN_TRUNCATED_UTF8 = 2,
    LOSSD_SCAN_CONTROL = 3,
    LOSSD_SCAN_TOO_MANY_ALIASES = 4,
    LOSSD_SCAN_TOO_MANY_DIRECTIVES = 5,
};

/// Checks text before libyaml reads it, in one pass: strict UTF-8 (no overlong forms, surrogates
/// or code points past U+10FFFF), no C0 control character but tab, LF and CR, at most
/// `max_stars` '*' characters (an upper bound on aliases, which libyaml resolves by a linear
/// search) and at most `max_directives` lines starting with '%'. Returns a LOSSD_SCAN_* code and
/// sets `*offset` to the offending byte.
static inline int lossd_yaml_scan(const unsigned char *bytes, size_t length, long max_stars, long max_directives, size_t *offset) {
    long stars = 0, directives = 0;
    size_t i = 0;
    while (i < length) {
        unsigned char byte = bytes[i];
        if (byte < 0x80) {
            if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) { *offset = i; return LOSSD_SCAN_CONTROL; }
            if (byte == '*' && ++stars > max_stars) { *offset = i; return LOSSD_SCAN_TOO_MANY_ALIASES; }
            if (byte == '%' && (i == 0 || bytes[i - 1] == 0x0A) && ++directives > max_directives) { *offset = i; return LOSSD_SCAN_TOO_MANY_DIRECTIVES; }
            i += 1;
            continue;
        }
        size_t width;
        unsigned long scalar, minimum;
        if (byte >= 0xC2 && byte <= 0xDF) { width = 2; scalar = byte & 0x1F; minimum = 0x80; }
        else if (byte >= 0xE0 && byte <= 0xEF) { width = 3; scalar = byte & 0x0F; minimum = 0x800; }
        else if (byte >= 0xF0 && byte <= 0xF4) { width = 4; scalar = byte & 0x07; minimum = 0x10000; }
        else { *offset = i; return LOSSD_SCAN_INVALID_UTF8; }
        if (i + width > length) { *offset = i; return LOSSD_SCAN_TRUNCATED_UTF8; }
        for (size_t k = 1; k < width; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80) { *offset = i; return LOSSD_SCAN_INVALID_UTF8; }
            scalar = (scalar << 6) | (bytes[i + k] & 0x3F);
        }
        if (scalar < minimum || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF)) { *offset = i; return LOSSD_SCAN_INVALID_UTF8; }
        i += width;
    }
    return LOSSD_SCAN_OK;
}

#endif
