import { isIPv4, isIPv6 } from 'node:net';

/** An address family and the address as an unsigned integer. */
export interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  network: bigint;
  prefixLength: number;
}

/** Parses an IPv4 or IPv6 address, or returns undefined when it is not one. */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (isIPv4(text)) {
    return { family: 4, value: parseIPv4(text) };
  }
  if (isIPv6(text)) {
    return { family: 6, value: parseIPv6(text) };
  }
  return undefined;
}

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function parseIPv6(text: string): bigint {
  const withoutZone = text.split('%')[0]!;
  let groups: string[];
  const [head = '', tail] = withoutZone.split('::');
  const expand = (part: string): string[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      // An embedded IPv4 address fills the last two groups.
      const v4 = parseIPv4(group);
      return [((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16)];
    });
  };
  if (tail === undefined) {
    groups = expand(head);
  } else {
    const left = expand(head);
    const right = expand(tail);
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  }
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** Parses `address/prefix`, or returns why it is not a valid CIDR. */
export function parseCidr(text: string): Cidr | string {
  if (typeof text !== 'string') return 'must be a CIDR string such as 10.0.0.0/8';
  const slash = text.indexOf('/');
  if (slash < 0) return `${JSON.stringify(text)} is not a CIDR: the prefix length is missing (for example 10.0.0.0/8)`;

  const address = parseAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address) return `${JSON.stringify(text)} is not a CIDR: the address is invalid`;

  const bits = address.family === 4 ? 32 : 128;
  const prefixLength = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefixLength >= 0 && prefixLength <= bits)) {
    return `${JSON.stringify(text)} is not a CIDR: the prefix length must be 0 to ${bits}`;
  }
  const mask = prefixMask(prefixLength, bits);
  return { family: address.family, network: address.value & mask, prefixLength };
}

function prefixMask(prefixLength: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefixLength === 0 ? 0n : all ^ ((1n << BigInt(bits - prefixLength)) - 1n);
}

/** Tests whether `address` lies inside `cidr`; addresses of the other family never do. */
export function cidrContains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false;
  const bits = cidr.family === 4 ? 32 : 128;
  return (address.value & prefixMask(cidr.prefixLength, bits)) === cidr.network;
}

/** Tests whether `inner` is a subnet of `outer` (equal counts as inside). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return (
    inner.family === outer.family &&
    inner.prefixLength >= outer.prefixLength &&
    cidrContains(outer, { family: inner.family, value: inner.network })
  );
}
