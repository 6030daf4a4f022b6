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

#endif
