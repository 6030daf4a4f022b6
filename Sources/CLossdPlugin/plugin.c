// SPDX-License-Identifier: Apache-2.0
// Header-only target: this file makes SwiftPM build the module and compile the header as C.
#include "lossd/plugin.h"
