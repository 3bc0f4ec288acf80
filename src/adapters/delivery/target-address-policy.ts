import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach unless private targets are allowed: a registered URL must not be
 * a way into our own network (loopback, private ranges, link-local, carrier-grade NAT, cloud metadata).
 */
const refused = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refused.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(prefix, bits, 'ipv6');
}

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** IPv4 carried inside an IPv6 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96). */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] === undefined || hex[2] === undefined) return undefined;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why a connection to `address` (an IP literal) is refused, or undefined when it may be reached. */
export function refusedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return `${address} is not an IP address`;
  if (METADATA.has(bare.toLowerCase())) return `${bare} is a cloud metadata address`;
  if (family === 6) {
    const inner = embeddedIpv4(bare);
    if (inner !== undefined) {
      const reason = refusedAddressReason(inner);
      return reason === undefined ? undefined : `${bare} carries ${inner}: ${reason}`;
    }
    return refused.check(bare, 'ipv6') ? `${bare} is a loopback, private, link-local or reserved address` : undefined;
  }
  return refused.check(bare, 'ipv4') ? `${bare} is a loopback, private, link-local, CGNAT or reserved address` : undefined;
}
