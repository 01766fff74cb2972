/**
 * The deploy ramdisk's /init and its DHCP script, as busybox sh. /init mounts the kernel's file
 * systems, loads the virtio modules in dependency order, brings every NIC up, leases an address
 * (the NIC named by `BOOTIF=` on the kernel command line first), finds the API (kernel command
 * line `ipa-api-url=`, else the URL Ferrum's dnsmasq sends in DHCP option 224), and runs the
 * agent. If the agent exits, the ramdisk says so on the console and stays up for a person to look.
 */

/** The private DHCP option (RFC 2132 site-specific range) carrying the agent's API URL. */
export const API_URL_DHCP_OPTION = 224

export const UDHCPC_SCRIPT = `#!/bin/sh
# udhcpc hook: apply the lease, remember what the server said for /init.
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}" dev "$interface"
    {
      echo "lease_iface=$interface"
      echo "lease_ip=$ip"
      echo "lease_api_hex=$opt${API_URL_DHCP_OPTION}"
    } > /run/ferrum-lease ;;
esac
exit 0
`

export const INIT_SCRIPT = `#!/bin/busybox sh
# Ferrum deploy ramdisk init (written by ferrum ramdisk build).
/bin/busybox mkdir -p /proc /sys /dev /run /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/ferrum/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
say() { echo "ferrum-ramdisk: $*"; }
say "init on $(uname -r)"
for m in $(cat /lib/ferrum/modules.order); do
  insmod "/lib/ferrum/modules/$m.ko" 2>/dev/null || say "module $m did not load"
done
bootif=""
for w in $(cat /proc/cmdline); do
  case "$w" in
    BOOTIF=01-*) bootif=$(echo "\${w#BOOTIF=01-}" | tr '-' ':' | tr 'A-F' 'a-f') ;;
    ipa-api-url=*) api="\${w#ipa-api-url=}" ;;
  esac
done
ip link set lo up
n=0
while [ -z "$(ls /sys/class/net | grep -v '^lo$')" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
first=""; rest=""
for d in /sys/class/net/*; do
  i=\${d##*/}
  [ "$i" = lo ] && continue
  ip link set "$i" up
  if [ -n "$bootif" ] && [ "$(cat "$d/address")" = "$bootif" ]; then first="$i"; else rest="$rest $i"; fi
done
leased=""
for i in $first $rest; do
  if udhcpc -i "$i" -n -q -t 5 -T 2 -A 1 -O ${API_URL_DHCP_OPTION} -s /ferrum/udhcpc.script >/dev/null 2>&1; then leased="$i"; break; fi
done
if [ -n "$leased" ]; then
  . /run/ferrum-lease
  say "DHCP: $lease_ip on $lease_iface"
  if [ -z "$api" ] && [ -n "$lease_api_hex" ]; then
    api=$(printf "$(echo "$lease_api_hex" | sed 's/../\\\\x&/g')")
  fi
else
  say "DHCP: no lease on any NIC ($first $rest)"
fi
[ -n "$api" ] && export FERRUM_API_URL="$api"
say "agent starting (API \${api:-unknown})"
node /ferrum/agent.mjs
say "agent exited with code $?; the ramdisk stays up"
while true; do sleep 3600; done
`

/** busybox's `poweroff` asks init to stop, and this /init is a shell: power off at once, as IPA's `poweroff` does. */
export const POWEROFF_SCRIPT = `#!/bin/sh
sync
exec /bin/busybox poweroff -f
`
