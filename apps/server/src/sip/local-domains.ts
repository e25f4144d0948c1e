import type { BoundListener } from '@pbx/sip';

/**
 * Kamailio's `myself`: the domains the appliance serves (SIP_DOMAINS; empty
 * means every domain is ours, the lab default) and the addresses it listens
 * on, which always count as local so `sip:10.0.0.5` reaches the server.
 */
export class LocalDomains {
  private readonly domains: ReadonlySet<string>;
  private readonly addresses = new Set<string>(['127.0.0.1', '::1', 'localhost']);

  constructor(domains: readonly string[]) {
    this.domains = new Set(domains.map((d) => d.toLowerCase()));
  }

  /** True when SIP_DOMAINS is empty: every domain is served. */
  get servesAll(): boolean {
    return this.domains.size === 0;
  }

  addListeners(listeners: readonly BoundListener[]): void {
    for (const l of listeners) {
      if (l.host !== '0.0.0.0' && l.host !== '::') this.addresses.add(l.host.toLowerCase());
    }
  }

  /** The host is one of our listening addresses (the server itself, not just a served domain). */
  isServerAddress(host: string): boolean {
    return this.addresses.has(stripBrackets(host).toLowerCase());
  }

  /** A domain we serve or one of our addresses (is_uri_host_local / uri==myself). */
  isLocal(host: string): boolean {
    const h = stripBrackets(host).toLowerCase();
    return this.domains.size === 0 || this.domains.has(h) || this.addresses.has(h);
  }

  /** The served domains, for the dashboard. */
  list(): string[] {
    return [...this.domains];
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
