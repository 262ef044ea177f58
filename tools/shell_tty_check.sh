#!/bin/bash
# Drives `lexgraph shell` through a pseudo-terminal (util-linux script) with timed keystrokes:
# Up recalls a query from the history file, a multi-line query is abandoned with Ctrl-C, a
# line is edited (Home, Delete, End, Left, insert), wide characters are moved over and killed
# (Ctrl-W, Ctrl-U), the history is walked and left, Ctrl-D leaves. Prints what the terminal
# received (pipe through `cat -v` to see escapes) and the terminal modes after exit.
# Usage: DB=/path/to.sqlite tools/shell_tty_check.sh | cat -v
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/.build/release/lexgraph
DB=${DB:-/tmp/buildall.sqlite}
export HOME=$(mktemp -d)  # a private history file
printf 'MATCH (n) RETURN count(n) AS fromHistory;\n' > $HOME/.lexgraph_history
ESC=$'\e'
{
  sleep 3
  printf '%s' "${ESC}[A"; sleep 0.5; printf '\r'; sleep 2                       # Up: recall from the file, Enter
  printf 'MATCH (n)\r'; sleep 0.5; printf 'RETURN'; sleep 0.5; printf '\x03'; sleep 0.5   # multi-line, Ctrl-C abandons
  printf 'xx MATCH (n) RETURN count(n);'; sleep 0.3
  printf '%s' "${ESC}[H"; printf '%s' "${ESC}[3~${ESC}[3~${ESC}[3~"; printf '%s' "${ESC}[F${ESC}[D"; printf ' AS edited'; sleep 0.3; printf '\r'; sleep 2
  printf 'abc 中文é'; sleep 0.3; printf '%s' "${ESC}[D${ESC}[D"; sleep 0.3; printf '\x17'; sleep 0.3; printf '\x15'; sleep 0.3   # move over wide chars, Ctrl-W, Ctrl-U
  printf '%s' "${ESC}[A${ESC}[A"; sleep 0.3; printf '%s' "${ESC}[B${ESC}[B"; sleep 0.3   # walk history and back
  printf '\x15'; sleep 0.3; printf '\x04'; sleep 1                                                          # Ctrl-D on empty line leaves
} | script -q -c "$BIN shell --db $DB; echo EXIT=\$?; stty -a | grep -oE '(-)?icanon|(-)?echo |(-)?isig' | tr '\n' ' '" /dev/null
echo "--- history file:"; cat $HOME/.lexgraph_history
