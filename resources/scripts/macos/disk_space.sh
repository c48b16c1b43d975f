# Podpora library (macOS, POSIX sh): how full each local volume is.
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
MOUNT=$1
WARN=${2:-90}
FAIL=${3:-98}
df -P -k -l | awk 'NR > 1 && $2 > 0 { mount = $6; for (i = 7; i <= NF; i++) mount = mount " " $i; print $2 "\t" $4 "\t" mount }' |
while IFS='	' read -r blocks avail mount; do
  case "$mount" in /dev | /System/Volumes/VM | /System/Volumes/Preboot | /System/Volumes/Update | /private/var/vm) continue ;; esac
  if [ -n "$MOUNT" ] && [ "$mount" != "$MOUNT" ]; then continue; fi
  percent=$(( (blocks - avail) * 100 / blocks ))
  free="$(( avail / 1024 )) MiB"
  args=$(json_obj mount "$mount" '#percent' "$percent" free "$free")
  evidence=$(json_obj '#used_percent' "$percent" '#available_kib' "$avail" '#size_kib' "$blocks")
  finding="$mount is $percent% full ($free available)"
  if [ "$percent" -ge "$FAIL" ]; then
    check fail full "disk_space:$mount" "$finding" "$args" "$evidence"
  elif [ "$percent" -ge "$WARN" ]; then
    check warning low "disk_space:$mount" "$finding" "$args" "$evidence"
  else
    check ok ok "disk_space:$mount" "$finding" "$args" "$evidence"
  fi
done
finish
