// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import LossdCommands

/// The executable's entry point: the `lossd` root command (async, for run and serve).
@main
extension Lossd {}
