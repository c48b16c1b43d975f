# Podpora library (macOS, POSIX sh): updates that Software Update already found (its last scan; no new scan).
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
WARN_COUNT=${1:-50}
listing=$(softwareupdate --list --no-scan 2>&1)
code=$?
labels=$(printf '%s\n' "$listing" | sed -n 's/^\* Label: //p')
count=$(printf '%s\n' "$labels" | grep -c .)
security=$(printf '%s\n' "$labels" | grep -ci 'security')
if [ "$code" -ne 0 ] && [ "$count" -eq 0 ]; then
  detail=$(printf '%s' "$listing" | tail -n 3)
  check warning unknown pending_updates "cannot tell which updates are pending: $detail" '{}' "$(json_obj detail "$detail")"
else
  evidence=$(json_obj manager softwareupdate '#count' "$count" '#security' "$security" updates "$(printf '%s\n' "$labels" | head -n 200)")
  if [ "$security" -gt 0 ]; then
    check warning security pending_updates "$count updates pending, $security security" \
      "$(json_obj '#count' "$count" '#security' "$security")" "$evidence"
  elif [ "$count" -ge "$WARN_COUNT" ]; then
    check warning many pending_updates "$count updates pending" "$(json_obj '#count' "$count")" "$evidence"
  else
    check ok few pending_updates "$count updates pending" "$(json_obj '#count' "$count")" "$evidence"
  fi
fi
finish
