# Podpora library (macOS, POSIX sh): macOS version, kernel, hardware, time since the last restart and who is logged in.
# Follows the same manifest and output contract as the Linux scripts; not yet run on macOS by the project.
# --- podpora helpers (the output contract: one JSON object per line, podpora.diagnostics line protocol 1) ---
LC_ALL=C
export LC_ALL
# json_str TEXT: TEXT as a JSON string (backslash, quote, tab, line breaks escaped; other control bytes dropped).
json_str() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' | tr -d '\000-\010\013-\037' |
    awk 'BEGIN { printf "\"" } NR > 1 { printf "\\n" } { printf "%s", $0 } END { printf "\"" }'
}
# json_num VALUE: VALUE if it is a plain integer, else 0 (nothing unchecked reaches the output raw).
json_num() {
  case "$1" in '' | *[!0-9-]* | ?*-*) printf '0' ;; *) printf '%s' "$1" ;; esac
}
# json_obj KEY VALUE ...: an object of strings; a key written #name takes an integer value.
json_obj() {
  out='{'
  sep=''
  while [ "$#" -ge 2 ]; do
    case "$1" in
      '#'*) out="$out$sep$(json_str "${1#\#}"):$(json_num "$2")" ;;
      *) out="$out$sep$(json_str "$1"):$(json_str "$2")" ;;
    esac
    sep=','
    shift 2
  done
  printf '%s}' "$out"
}
# check STATUS EXPLAIN ID FINDING [ARGS_JSON] [EVIDENCE_JSON] [REPAIR] [NOT_APPLICABLE true|false]
check() {
  c_args=${5:-'{}'}
  c_evidence=${6:-'{}'}
  c_repair=null
  [ -n "$7" ] && c_repair=$(json_str "$7")
  c_na=false
  [ "$8" = true ] && c_na=true
  printf '{"type":"check","id":%s,"status":%s,"finding":%s,"explain":%s,"args":%s,"evidence":%s,"repair":%s,"not_applicable":%s}\n' \
    "$(json_str "$3")" "$(json_str "$1")" "$(json_str "$4")" "$(json_str "$2")" "$c_args" "$c_evidence" "$c_repair" "$c_na"
}
# progress PERCENT MESSAGE
progress() {
  printf '{"type":"progress","percent":%s,"message":%s}\n' "$(json_num "$1")" "$(json_str "$2")"
}
finish() {
  printf '{"type":"done"}\n'
}
# --- end of podpora helpers ---
WARN_DAYS=${1:-60}
os="$(sw_vers -productName 2>/dev/null) $(sw_vers -productVersion 2>/dev/null)"
kernel=$(uname -r)
boot=$(sysctl -n kern.boottime 2>/dev/null | sed -n 's/.*sec = \([0-9][0-9]*\).*/\1/p')
now=$(date +%s)
uptime=$(( now - ${boot:-$now} ))
days=$(( uptime / 86400 ))
hours=$(( uptime % 86400 / 3600 ))
users=$(who | awk '{ print $1 }' | sort -u | tr '\n' ' ' | sed 's/ $//')
[ -n "$users" ] || users=nobody
model=$(sysctl -n hw.model 2>/dev/null)
memory=$(sysctl -n hw.memsize 2>/dev/null)
check ok facts system_facts "$os, kernel $kernel, up $days days" \
  "$(json_obj os "$os" kernel "$kernel" '#days' "$days" '#hours' "$hours" users "$users")" \
  "$(json_obj os "$os" kernel "$kernel" model "$model" '#memory_bytes' "$memory" '#uptime_seconds' "$uptime" users "$users")"
if [ "$days" -ge "$WARN_DAYS" ]; then
  check warning long_uptime system_facts:uptime "up $days days without restart" \
    "$(json_obj '#days' "$days")" "$(json_obj '#days' "$days")"
fi
finish
