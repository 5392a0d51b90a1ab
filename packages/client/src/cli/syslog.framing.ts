import type { Severity } from '@1security/contract';
import os from 'node:os';
import { SYSLOG_FACILITY, SYSLOG_SEVERITY } from './severity.mapping';

export const SYSLOG_APP_NAME = 'onesec';

/** RFC 5424 HOSTNAME: printable US-ASCII without spaces, at most 255 characters; `-` if none. */
export function syslogHostname(name: string = os.hostname()): string {
  const cleaned = name.replace(/[^\x21-\x7e]/g, '').slice(0, 255);
  return cleaned === '' ? '-' : cleaned;
}

export interface SyslogHeader {
  severity: Severity;
  /** The event's own time (ISO 8601 UTC), the message's TIMESTAMP. */
  timestamp: string;
  hostname: string;
  procId: number;
  /** The resource (`logs`, …), the message's MSGID. */
  msgId: string;
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME onesec PROCID MSGID - MSG`, with no
 * structured data and the MSG as UTF-8 without a BOM.
 */
export function formatSyslogMessage(header: SyslogHeader, message: string): string {
  const pri = SYSLOG_FACILITY * 8 + SYSLOG_SEVERITY[header.severity];
  return `<${pri}>1 ${header.timestamp} ${header.hostname} ${SYSLOG_APP_NAME} ${header.procId} ${header.msgId} - ${message}`;
}

/** RFC 6587 octet counting (RFC 5425 for TLS): `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCountedFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
