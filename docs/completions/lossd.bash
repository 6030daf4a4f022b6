#!/bin/bash

__lossd_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__lossd_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__lossd_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__lossd_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_lossd() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __lossd_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|serve|reload|check|losses|optimizers|schedulers|eval|status|results|plot|predict|help)
        # Offer subcommand argument completions
        "_lossd_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run serve reload check losses optimizers schedulers eval status results plot predict help' -- "${cur}"))
        ;;
    esac
}

_lossd_run() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--only)
    non_repeating_options=(--state-dir --workers --shard --shards --lock-timeout)
    __lossd_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--only')
        return
        ;;
    '--state-dir')
        return
        ;;
    '--workers')
        return
        ;;
    '--shard')
        return
        ;;
    '--shards')
        return
        ;;
    '--lock-timeout')
        return
        ;;
    esac
}

_lossd_serve() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--config --state-dir --workers --shard --shards)
    __lossd_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--config')
        return
        ;;
    '--state-dir')
        return
        ;;
    '--workers')
        return
        ;;
    '--shard')
        return
        ;;
    '--shards')
        return
        ;;
    esac
}

_lossd_reload() {
    repeating_flags=()
    non_repeating_flags=(--wait --version -h --help)
    repeating_options=(--state-dir)
    non_repeating_options=(--pid --timeout --config)
    __lossd_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--pid')
        return
        ;;
    '--timeout')
        return
        ;;
    '--state-dir')
        __lossd_add_completions -d
        return
        ;;
    '--config')
        __lossd_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_lossd_check() {
    repeating_flags=()
    non_repeating_flags=(--quiet -q --no-snippets --version -h --help)
    repeating_options=(--only --plugin)
    non_repeating_options=(--shard --shards)
    __lossd_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--only')
        return
        ;;
    '--shard')
        return
        ;;
    '--shards')
        return
        ;;
    '--plugin')
        return
        ;;
    esac
}

_lossd_losses() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--plugin)
    non_repeating_options=()
    __lossd_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--plugin')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lossd_add_completions -W 'l1'$'\n''mse'$'\n''cross_entropy'$'\n''nll'$'\n''bce'$'\n''bce_with_logits'$'\n''smooth_l1'$'\n''huber'$'\n''kl_div'$'\n''poisson_nll'$'\n''gaussian_nll'$'\n''soft_margin'$'\n''multilabel_soft_margin'$'\n''hinge_embedding'$'\n''margin_ranking'$'\n''cosine_embedding'$'\n''multi_margin'$'\n''multilabel_margin'$'\n''triplet_margin'$'\n''triplet_margin_with_distance'$'\n''ctc'
        return
        ;;
    esac
}

_lossd_optimizers() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __lossd_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lossd_add_completions -W 'sgd'$'\n''adam'$'\n''adamw'$'\n''rmsprop'$'\n''adagrad'$'\n''adadelta'$'\n''adamax'$'\n''nadam'$'\n''radam'$'\n''asgd'$'\n''rprop'$'\n''lbfgs'$'\n''adafactor'
        return
        ;;
    esac
}

_lossd_schedulers() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __lossd_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lossd_add_completions -W 'step_lr'$'\n''multi_step_lr'$'\n''exponential_lr'$'\n''cosine_annealing_lr'$'\n''linear_lr'$'\n''constant_lr'$'\n''polynomial_lr'$'\n''cosine_annealing_warm_restarts'$'\n''cyclic_lr'$'\n''one_cycle_lr'$'\n''reduce_lr_on_plateau'$'\n''sequential_lr'$'\n''chained_scheduler'
        return
        ;;
    esac
}

_lossd_eval() {
    repeating_flags=()
    non_repeating_flags=(--grad --json --version -h --help)
    repeating_options=(--tensor --option --plugin)
    non_repeating_options=(--input --target --precision)
    __lossd_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--input')
        return
        ;;
    '--target')
        return
        ;;
    '--tensor')
        return
        ;;
    '--option')
        return
        ;;
    '--plugin')
        return
        ;;
    '--precision')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lossd_add_completions -W 'l1'$'\n''mse'$'\n''cross_entropy'$'\n''nll'$'\n''bce'$'\n''bce_with_logits'$'\n''smooth_l1'$'\n''huber'$'\n''kl_div'$'\n''poisson_nll'$'\n''gaussian_nll'$'\n''soft_margin'$'\n''multilabel_soft_margin'$'\n''hinge_embedding'$'\n''margin_ranking'$'\n''cosine_embedding'$'\n''multi_margin'$'\n''multilabel_margin'$'\n''triplet_margin'$'\n''triplet_margin_with_distance'$'\n''ctc'
        return
        ;;
    esac
}

_lossd_status() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--state-dir)
    non_repeating_options=(--config)
    __lossd_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __lossd_add_completions -d
        return
        ;;
    '--config')
        __lossd_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __lossd_add_completions -W "$(__lossd_custom_complete ---completion status -- positional@0 "${COMP_CWORD}" "$(__lossd_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_lossd_results() {
    repeating_flags=()
    non_repeating_flags=(--with-output --all-runs --reverse --best --prune-stale --version -h --help)
    repeating_options=(--state-dir --group-by)
    non_repeating_options=(--config --format --sort --top)
    __lossd_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __lossd_add_completions -d
        return
        ;;
    '--config')
        __lossd_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--format')
        __lossd_add_completions -W 'json'$'\n''csv'$'\n''table'
        return
        ;;
    '--sort')
        return
        ;;
    '--top')
        return
        ;;
    '--group-by')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __lossd_add_completions -W "$(__lossd_custom_complete ---completion results -- positional@0 "${COMP_CWORD}" "$(__lossd_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_lossd_plot() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--state-dir)
    non_repeating_options=(--config --output -o --title --scale --width --height)
    __lossd_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--state-dir')
        __lossd_add_completions -d
        return
        ;;
    '--config')
        __lossd_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--output'|'-o')
        __lossd_add_completions -o plusdirs -fX '!*.@(svg|png)'
        return
        ;;
    '--title')
        return
        ;;
    '--scale')
        __lossd_add_completions -W 'auto'$'\n''log'$'\n''linear'
        return
        ;;
    '--width')
        return
        ;;
    '--height')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __lossd_add_completions -W "$(__lossd_custom_complete ---completion plot -- positional@0 "${COMP_CWORD}" "$(__lossd_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_lossd_predict() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--state-dir)
    non_repeating_options=(--data --targets --model --config -o --output)
    __lossd_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--data')
        __lossd_add_completions -o plusdirs -fX '!*.@(csv|npy)'
        return
        ;;
    '--targets')
        __lossd_add_completions -o plusdirs -fX '!*.@(npy)'
        return
        ;;
    '--model')
        __lossd_add_completions -o plusdirs -fX '!*.@(safetensors)'
        return
        ;;
    '--state-dir')
        __lossd_add_completions -d
        return
        ;;
    '--config')
        __lossd_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '-o'|'--output')
        __lossd_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lossd_add_completions -W "$(__lossd_custom_complete ---completion predict -- positional@0 "${COMP_CWORD}" "$(__lossd_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_lossd_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __lossd_offer_flags_options -1
}

complete -o filenames -F _lossd lossd
