#!/usr/bin/env bash
# One lbkit VRRP node for the shared harness's NODE1_CMD / NODE2_CMD hook: dev.lbkit.ha.VrrpNodeMain reads
# the harness's VRRP_* variables (interface, VRID, priority, VIP, advert interval, unicast peer). It runs in
# the node's namespace, in the harness's process group, and stops cleanly (priority 0) on SIGTERM.
#   -XX:TieredStopAtLevel=1  C1 only: the protocol path is compiled within the first adverts, no C2 pauses
#   -XX:+UseSerialGC -Xmx64m the loop allocates little; a small serial heap keeps pauses well under 1 ms
#   LBK_HA_JFFI              a directory with jffi's extracted native stub (-Djffi.boot.library.path)
#   LBK_HA_CDS / _CDS_DUMP   use / write an application class-data-sharing archive (run.sh makes one)
set -euo pipefail
CP=$(cat "${LBK_HA_CLASSPATH:-/tmp/lbk-ha-bench/classpath.txt}")
extra=()
[ -n "${LBK_HA_JFFI:-}" ] && extra+=("-Djffi.boot.library.path=$LBK_HA_JFFI")
[ -n "${LBK_HA_CDS:-}" ] && extra+=("-XX:SharedArchiveFile=$LBK_HA_CDS")
[ -n "${LBK_HA_CDS_DUMP:-}" ] && extra+=("-XX:ArchiveClassesAtExit=$LBK_HA_CDS_DUMP")
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms32m -Xmx64m -XX:-UsePerfData "${extra[@]}" \
  -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
  -cp "$CP" dev.lbkit.ha.VrrpNodeMain "$@"
