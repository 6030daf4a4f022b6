function __lossd_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __lossd_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __lossd_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __lossd_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __lossd_parse_tokens -S
    set -l unparsed_tokens (__lossd_tokens -pc)
    switch $unparsed_tokens[1]
    case 'lossd'
        __lossd_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __lossd_parse_subcommand -r 2 'only=+' 'state-dir=' 'workers=' 'shard=' 'shards=' 'lock-timeout=' 'version' 'h/help'
        case 'serve'
            __lossd_parse_subcommand 0 'config=' 'state-dir=' 'workers=' 'shard=' 'shards=' 'version' 'h/help'
        case 'reload'
            __lossd_parse_subcommand 0 'pid=' 'wait' 'timeout=' 'state-dir=+' 'config=' 'version' 'h/help'
        case 'check'
            __lossd_parse_subcommand -r 2 'only=+' 'shard=' 'shards=' 'q/quiet' 'no-snippets' 'plugin=+' 'version' 'h/help'
        case 'losses'
            __lossd_parse_subcommand 1 'json' 'plugin=+' 'version' 'h/help'
        case 'optimizers'
            __lossd_parse_subcommand 1 'json' 'version' 'h/help'
        case 'schedulers'
            __lossd_parse_subcommand 1 'json' 'version' 'h/help'
        case 'eval'
            __lossd_parse_subcommand 1 'input=' 'target=' 'tensor=+' 'option=+' 'plugin=+' 'grad' 'json' 'precision=' 'version' 'h/help'
        case 'status'
            __lossd_parse_subcommand -r 1 'state-dir=+' 'config=' 'json' 'version' 'h/help'
        case 'results'
            __lossd_parse_subcommand -r 1 'state-dir=+' 'config=' 'format=' 'with-output' 'all-runs' 'sort=' 'reverse' 'top=' 'best' 'group-by=+' 'prune-stale' 'version' 'h/help'
        case 'plot'
            __lossd_parse_subcommand -r 1 'state-dir=+' 'config=' 'o/output=' 'title=' 'scale=' 'width=' 'height=' 'version' 'h/help'
        case 'predict'
            __lossd_parse_subcommand 1 'data=' 'targets=' 'model=' 'state-dir=+' 'config=' 'o/output=' 'json' 'version' 'h/help'
        case 'help'
            __lossd_parse_subcommand -r 1 'version'
        end
    end
end

function __lossd_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __lossd_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __lossd_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __lossd_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__lossd_tokens -p)
    if test -z "$(__lossd_tokens -t)"
        set -l index (count (__lossd_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'lossd' -f
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'run' -d 'Run every job of a configuration to its end, then exit.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'serve' -d 'Run the jobs as a service: stay up, reload on SIGHUP, stop with a checkpoint on SIGTERM.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'reload' -d 'Make a running lossd serve re-read its configuration (SIGHUP); --wait for the outcome.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'check' -d 'Check a configuration file and its drop-ins; list the jobs it would run.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'losses' -d 'List the registered losses, their PyTorch names and options with defaults.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'optimizers' -d 'List the optimizers (torch.optim), their PyTorch names and options with defaults.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'schedulers' -d 'List the learning-rate schedulers (torch.optim.lr_scheduler), their PyTorch names and options.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'eval' -d 'Evaluate a loss (and its gradient) on tensors written as JSON arrays.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'status' -d 'Show every job of a state directory: status, step, loss, elapsed time and ETA.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'results' -d 'Print every finished job\'s result as one JSON or CSV document.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'plot' -d 'Draw the loss curves of jobs on one chart (SVG, or PNG through rsvg-convert).'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'predict' -d 'Run a model job\'s trained model on a CSV or NumPy file and print its predictions.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run"' -l 'only' -d 'Run only the jobs this selects: a job\'s or sweep\'s name, or a shell pattern (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" state-dir' -l 'state-dir' -d 'Where results, histories and checkpoints go (overrides daemon.state_directory).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" workers' -l 'workers' -d 'Worker threads (overrides daemon.workers; default: one per CPU).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" shard' -l 'shard' -d 'Only shard I (from 0) of N of the jobs, into STATE/shard-I; auto: from the Slurm array task or Kubernetes Indexed Job.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" shards' -l 'shards' -d 'The number of shards for --shard auto under a Kubernetes Indexed Job (its completions).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" lock-timeout' -l 'lock-timeout' -d 'Wait this long for another lossd to release the state directory (e.g. 5m) instead of exiting 73.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" config' -l 'config' -d 'The configuration file.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" state-dir' -l 'state-dir' -d 'Where results, histories and checkpoints go (default: $STATE_DIRECTORY under systemd).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" workers' -l 'workers' -d 'Worker threads (overrides daemon.workers).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" shard' -l 'shard' -d 'Only shard I (from 0) of N of the jobs, into STATE/shard-I; auto: from the Slurm array task or Kubernetes Indexed Job.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" shards' -l 'shards' -d 'The number of shards for --shard auto under a Kubernetes Indexed Job (its completions).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload" pid' -l 'pid' -d 'The daemon\'s process id (default: $MAINPID, else the state directory\'s lock holder).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload" wait' -l 'wait' -d 'Wait until a reload that began after the signal has ended; exit 1 if it was rejected.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload" timeout' -l 'timeout' -d 'How long --wait waits, in seconds.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload"' -l 'state-dir' -d 'The state directory to read (repeatable, or a quoted shell pattern, for status, results and plot).' -rfa '(__lossd_complete_directories)'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload" config' -l 'config' -d 'Read the state directory this configuration\'s daemon uses.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check"' -l 'only' -d 'List only the jobs this selects: a job\'s or sweep\'s name, or a shell pattern (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check" shard' -l 'shard' -d 'Only shard I (from 0) of N of the jobs, into STATE/shard-I; auto: from the Slurm array task or Kubernetes Indexed Job.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check" shards' -l 'shards' -d 'The number of shards for --shard auto under a Kubernetes Indexed Job (its completions).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing when the file is valid.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check" no-snippets' -l 'no-snippets' -d 'Do not quote the offending line under each error.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check"' -l 'plugin' -d 'Also load this loss plugin, before daemon.plugins (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd losses" -eq 1' -fka 'l1 mse cross_entropy nll bce bce_with_logits smooth_l1 huber kl_div poisson_nll gaussian_nll soft_margin multilabel_soft_margin hinge_embedding margin_ranking cosine_embedding multi_margin multilabel_margin triplet_margin triplet_margin_with_distance ctc'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd losses" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd losses"' -l 'plugin' -d 'Also load this loss plugin: a path, or a name looked up in LOSSD_PLUGIN_PATH and /usr/lib/lossd/plugins (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd losses" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd losses" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd optimizers" -eq 1' -fka 'sgd adam adamw rmsprop adagrad adadelta adamax nadam radam asgd rprop lbfgs adafactor'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd optimizers" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd optimizers" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd optimizers" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd schedulers" -eq 1' -fka 'step_lr multi_step_lr exponential_lr cosine_annealing_lr linear_lr constant_lr polynomial_lr cosine_annealing_warm_restarts cyclic_lr one_cycle_lr reduce_lr_on_plateau sequential_lr chained_scheduler'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd schedulers" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd schedulers" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd schedulers" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd eval" -eq 1' -fka 'l1 mse cross_entropy nll bce bce_with_logits smooth_l1 huber kl_div poisson_nll gaussian_nll soft_margin multilabel_soft_margin hinge_embedding margin_ranking cosine_embedding multi_margin multilabel_margin triplet_margin triplet_margin_with_distance ctc'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" input' -l 'input' -d 'The input tensor (the first argument of the loss) as JSON.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" target' -l 'target' -d 'The target tensor as JSON.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval"' -l 'tensor' -d 'Another tensor argument, by PyTorch name (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval"' -l 'option' -d 'A loss option with PyTorch\'s keyword name (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval"' -l 'plugin' -d 'Also load this loss plugin: a path, or a name looked up in LOSSD_PLUGIN_PATH and /usr/lib/lossd/plugins (repeatable).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" grad' -l 'grad' -d 'Also print the gradient of each differentiable tensor.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" json' -l 'json' -d 'Read a JSON request on standard input and print a JSON response (the machine interface).'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" precision' -l 'precision' -d 'Decimals printed in the text output (0 to 17).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd eval" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd status" -ge 1' -fka '(__lossd_custom_completion ---completion status -- positional@0 (count (__lossd_tokens -pc)) (__lossd_tokens -tC))'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd status"' -l 'state-dir' -d 'The state directory to read (repeatable, or a quoted shell pattern, for status, results and plot).' -rfa '(__lossd_complete_directories)'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd status" config' -l 'config' -d 'Read the state directory this configuration\'s daemon uses.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd status" json' -l 'json' -d 'Print one JSON document (for scripts) instead of the table.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd status" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd results" -ge 1' -fka '(__lossd_custom_completion ---completion results -- positional@0 (count (__lossd_tokens -pc)) (__lossd_tokens -tC))'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results"' -l 'state-dir' -d 'The state directory to read (repeatable, or a quoted shell pattern, for status, results and plot).' -rfa '(__lossd_complete_directories)'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" config' -l 'config' -d 'Read the state directory this configuration\'s daemon uses.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" format' -l 'format' -d 'The output format: json (default), csv, or table (default with --group-by).' -rfka 'json csv table'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" with-output' -l 'with-output' -d 'In CSV, keep large tensors (output, literal init/target values of more than 16 numbers).'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" all-runs' -l 'all-runs' -d 'Also list the runs archived when a job\'s configuration changed (archive/<job>/<hash>/), each result with a "run" field: current or archived.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" sort' -l 'sort' -d 'Sort by this field, ascending: loss, best_loss, steps, or a dotted path into the result (metrics.mae, config.optimizer.options.lr, study.axes.optimizer.lr).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" reverse' -l 'reverse' -d 'With --sort, sort descending.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" top' -l 'top' -d 'Keep the first K results (after --sort and --best).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" best' -l 'best' -d 'Only the best job of each study (by --sort, default loss; jobs of different loss functions need --sort metrics.NAME).'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results"' -l 'group-by' -d 'Summarize --sort\'s key (default loss) per value of this study axis or result field: count, mean and sample standard deviation (n - 1) over the other axes, current runs only. Repeatable.' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" prune-stale' -l 'prune-stale' -d 'Move the stale jobs\' files (jobs the last daemon\'s configuration no longer has) to archive/<job>/<hash>/, then list them.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd results" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd plot" -ge 1' -fka '(__lossd_custom_completion ---completion plot -- positional@0 (count (__lossd_tokens -pc)) (__lossd_tokens -tC))'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot"' -l 'state-dir' -d 'The state directory to read (repeatable, or a quoted shell pattern, for status, results and plot).' -rfa '(__lossd_complete_directories)'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" config' -l 'config' -d 'Read the state directory this configuration\'s daemon uses.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" o output' -l 'output' -s 'o' -d 'Write the chart here: .svg, or .png (default: SVG on standard output).' -rfa '(set -l exts \'svg\' \'png\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" title' -l 'title' -d 'The chart\'s title (default: names the job, sweep or state directory).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" scale' -l 'scale' -d 'The loss axis: auto (log unless a loss is negative), log or linear.' -rfka 'auto log linear'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" width' -l 'width' -d 'The canvas width in pixels (it grows to fit a long legend).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" height' -l 'height' -d 'The canvas height in pixels (it grows to fit a long legend).' -rfka ''
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd plot" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_positional "lossd predict" -eq 1' -fka '(__lossd_custom_completion ---completion predict -- positional@0 (count (__lossd_tokens -pc)) (__lossd_tokens -tC))'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" data' -l 'data' -d 'The data: a CSV file with a header, or a NumPy .npy file of features.' -rfa '(set -l exts \'csv\' \'npy\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" targets' -l 'targets' -d 'A NumPy .npy file of targets for --data FILE.npy (for the loss and accuracy).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'npy\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" model' -l 'model' -d 'The trained parameters to use instead of the state directory\'s models/<job>.safetensors.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'safetensors\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict"' -l 'state-dir' -d 'The state directory to read (repeatable, or a quoted shell pattern, for status, results and plot).' -rfa '(__lossd_complete_directories)'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" config' -l 'config' -d 'Read the state directory this configuration\'s daemon uses.' -rfa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" o output' -s 'o' -l 'output' -d 'Write the predictions to this file instead of standard output.' -rF
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" json' -l 'json' -d 'Print one JSON document instead of CSV.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" version' -l 'version' -d 'Show the version.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd predict" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lossd' -n '__lossd_should_offer_completions_for_flags_or_options "lossd help" version' -l 'version' -d 'Show the version.'
