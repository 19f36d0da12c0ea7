// Container probes, run the way the kubelet runs them: HTTP(S) GETs (no
// certificate verification, as the kubelet does), TCP connections, with the
// probe's period, thresholds and initial delay. Exec probes would need the
// container image; they pass while the process runs (and the plan notes it).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { LOOPBACK } from './spec.ts';
import type { ContainerPort, Probe } from './types.ts';

export interface ProbeResult {
  ok: boolean;
  message: string;
}

function resolvePort(port: number | string, ports: readonly ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

function httpGet(probe: NonNullable<Probe['httpGet']>, port: number, timeoutMs: number): Promise<ProbeResult> {
  const secure = (probe.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const host = probe.host || LOOPBACK;
  const path = probe.path ? (probe.path.startsWith('/') ? probe.path : `/${probe.path}`) : '/';
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/kubegarden-local', Accept: '*/*' };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  const url = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  return new Promise((resolve) => {
    const options: https.RequestOptions = { method: 'GET', headers, timeout: timeoutMs, agent: false };
    if (secure) options.rejectUnauthorized = false;
    const req = (secure ? https : http).request(url, options, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, message: `GET ${url}: HTTP ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (err) => resolve({ ok: false, message: `GET ${url}: ${err.message}` }));
    req.end();
  });
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ ok: true, message: `connected to ${host}:${port}` }));
    socket.once('timeout', () => done({ ok: false, message: `connecting to ${host}:${port}: no answer within ${timeoutMs}ms` }));
    socket.once('error', (err) => done({ ok: false, message: `connecting to ${host}:${port}: ${err.message}` }));
  });
}

export async function probeOnce(probe: Probe, ports: readonly ContainerPort[]): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  const target = probe.httpGet ?? probe.tcpSocket;
  if (target) {
    const port = resolvePort(target.port, ports);
    if (port === undefined) return { ok: false, message: `the probe's port "${target.port}" is not a container port` };
    return probe.httpGet ? httpGet(probe.httpGet, port, timeoutMs) : tcpConnect(probe.tcpSocket?.host || LOOPBACK, port, timeoutMs);
  }
  if (probe.grpc) return tcpConnect(LOOPBACK, probe.grpc.port, timeoutMs);
  return { ok: true, message: 'exec probe: passes while the process runs' };
}

/**
 * Runs a probe periodically and reports when its verdict flips: passing after
 * successThreshold successes in a row, failing after failureThreshold failures.
 */
export class ProbeLoop {
  passing: boolean;
  lastMessage = '';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private readonly probe: Probe;
  private readonly ports: readonly ContainerPort[];
  private readonly onChange: (passing: boolean, message: string) => void;

  private readonly startup: boolean;

  /**
   * Readiness starts failing and reports each flip; liveness starts passing and
   * reports when it fails; a startup probe (startup: true) reports its first
   * success, or failure when it never passed within its threshold.
   */
  constructor(
    probe: Probe,
    ports: readonly ContainerPort[],
    initial: boolean,
    onChange: (passing: boolean, message: string) => void,
    options: { startup?: boolean } = {},
  ) {
    this.probe = probe;
    this.ports = ports;
    this.passing = initial;
    this.onChange = onChange;
    this.startup = options.startup ?? false;
  }

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    const result = await probeOnce(this.probe, this.ports);
    if (this.stopped) return;
    this.lastMessage = result.message;
    if (result.ok) {
      this.failures = 0;
      this.successes++;
      if (!this.passing && this.successes >= (this.probe.successThreshold ?? 1)) {
        this.flip(true, result.message);
        // A startup probe is done once it passed.
        if (this.startup) return;
      }
    } else {
      this.successes = 0;
      this.failures++;
      const failed = this.failures >= (this.probe.failureThreshold ?? 3);
      if (failed && (this.passing || this.startup)) {
        this.flip(false, result.message);
        if (this.startup) return;
      }
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private flip(passing: boolean, message: string): void {
    this.passing = passing;
    this.onChange(passing, message);
  }
}
