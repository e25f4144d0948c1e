import { GrammarError, SipHeaderError } from './errors.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { parseVia, type Via } from './via.js';

/** Parses a name-addr / addr-spec header value (e.g. for building Record-Route); throws SipHeaderError. */
export function parseNameAddrValue(value: string, header = 'name-addr'): NameAddr {
  try {
    return parseNameAddr(value, false, header);
  } catch (e) {
    if (e instanceof GrammarError) throw new SipHeaderError(header, e.detail);
    throw e;
  }
}

/** Parses one via-parm (e.g. `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK…`); throws SipHeaderError. */
export function parseViaValue(value: string): Via {
  try {
    return parseVia(value);
  } catch (e) {
    if (e instanceof GrammarError) throw new SipHeaderError('Via', e.detail);
    throw e;
  }
}
