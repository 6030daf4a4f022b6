/* SPDX-License-Identifier: Apache-2.0 */
/* liblossd-test-noentry: a shared library that is no lossd plugin: it exports a function, but
 * not lossd_plugin_entry (the tests expect lossd to refuse it with a clear message). */
__attribute__((visibility("default"))) int lossd_test_not_a_plugin(void) { return 42; }
