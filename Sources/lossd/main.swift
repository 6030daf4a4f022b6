// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import LossdCommands

await Lossd.main()
