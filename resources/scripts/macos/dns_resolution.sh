# Podpora library (macOS, POSIX sh): name lookups through the system resolver and each configured DNS server.
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
NAME=${1:-example.com}
SERVER=$2
addresses=$(dscacheutil -q host -a name "$NAME" 2>/dev/null | awk '/^ip(v6)?_address:/ { print $2 }' | tr '\n' ' ' | sed 's/ $//')
if [ -n "$addresses" ]; then
  check ok resolves "dns_resolution:system:$NAME" "$NAME resolves to $addresses" "$(json_obj name "$NAME")" \
    "$(json_obj addresses "$addresses")"
else
  check fail no_resolve "dns_resolution:system:$NAME" "$NAME does not resolve" "$(json_obj name "$NAME")"
fi
if [ -n "$SERVER" ]; then
  servers=$SERVER
else
  servers=$(scutil --dns 2>/dev/null | awk '/nameserver\[[0-9]+\]/ { print $3 }' | sort -u)
fi
if [ -z "$servers" ]; then
  check fail no_servers dns_resolution:servers "no DNS server configured"
elif command -v dig >/dev/null 2>&1; then
  for server in $servers; do
    reply=$(dig +time=2 +tries=1 "@$server" "$NAME" 2>&1)
    status=$(printf '%s\n' "$reply" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1)
    ms=$(printf '%s\n' "$reply" | sed -n 's/.*Query time: \([0-9]*\) msec.*/\1/p' | head -n 1)
    case "$status" in
      NOERROR) check ok server_ok "dns_resolution:server:$server" "$server answered for $NAME in ${ms:-0} ms" \
                 "$(json_obj server "$server" '#ms' "${ms:-0}")" "$(json_obj '#ms' "${ms:-0}")" ;;
      NXDOMAIN) check warning no_such_name "dns_resolution:server:$server" "$server says $NAME does not exist" \
                  "$(json_obj server "$server" name "$NAME")" ;;
      '') check fail server_down "dns_resolution:server:$server" "DNS server $server: no answer" \
            "$(json_obj server "$server")" ;;
      *) check fail server_error "dns_resolution:server:$server" "$server answered with $status" \
           "$(json_obj server "$server")" "$(json_obj rcode "$status")" ;;
    esac
  done
fi
finish
