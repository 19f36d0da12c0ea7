// The User-Agent of kubegarden's API requests names the command that made
// them ("kubegarden/0.1.0 (shoot create)"), so a cluster's audit log tells
// which command did what; the local supervisor names itself the same way.
let userAgent = 'kubegarden';

export function setUserAgent(value: string): void {
  userAgent = value;
}

export function getUserAgent(): string {
  return userAgent;
}
