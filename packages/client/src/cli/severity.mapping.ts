import type { Severity } from '@1security/contract';

/** The API's severity → CEF header severity (0-10) and ECS `event.severity`. */
export const CEF_SEVERITY: Record<Severity, number> = {
  informational: 1,
  low: 3,
  medium: 5,
  high: 8,
  critical: 10,
};

/** RFC 5424 PRI severities (0 emergency … 7 debug), by name, for the docs. */
export const SYSLOG_SEVERITY_NAMES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
] as const;

/** The API's severity → the syslog PRI severity of the message carrying the event. */
export const SYSLOG_SEVERITY: Record<Severity, number> = {
  informational: 6,
  low: 5,
  medium: 4,
  high: 3,
  critical: 2,
};

/** Facility of every message: local0 (16), which every syslog daemon can select on. */
export const SYSLOG_FACILITY = 16;
export const SYSLOG_FACILITY_NAME = 'local0';
