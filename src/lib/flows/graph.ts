// A flow is data: steps with ids, progress-sentence titles and explicit
// dependencies. The graph is checked as it is built (a duplicate id or a
// dependency on a step not yet added is a bug in the flow, caught before
// anything runs), can be printed for --dry-run, and knows nothing about how
// it is run or rendered: see executor.ts and render.ts.
import { formatDuration } from '../kube/wait.ts';

/** What a running step gets from the executor. */
export interface StepIO {
  /** Aborted when the flow stops (another step failed, Ctrl-C, lock lost) or the step timed out. */
  readonly signal: AbortSignal;
  /** A line for the task tree (the last one is shown; --verbose prints all). */
  log(line: string): void;
  /** How far the step is, from 0 to 1; feeds the flow's weighted progress. */
  progress(fraction: number): void;
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  /** Back-off before the first retry; it doubles each time. Default 1000. */
  initialDelayMs?: number;
  /** Cap of the back-off. Default 30000. */
  maxDelayMs?: number;
}

export interface FlowStep<C> {
  /** Stable, machine-readable: recorded in Shoot.status and in errors. */
  id: string;
  /** A progress sentence: "Deploying etcd". */
  title: string;
  /** Ids of steps that must be done (or skipped) first; they must have been added before. */
  dependsOn?: readonly string[];
  /** Does the work. A returned string replaces the title when done, e.g. "Deployed etcd (unchanged)". */
  run(ctx: C, io: StepIO): Promise<void | string>;
  /**
   * Decided when the step's dependencies are done, from what they observed:
   * a reason to skip ("already deleted"), or false to run.
   */
  skip?(ctx: C): string | false;
  /** Deadline for the whole step, retries included. */
  timeoutMs?: number;
  /** Retries, with exponential back-off, of errors that are not the user's to fix (see isRetryable). */
  retries?: number | RetryPolicy;
  /** Decides which errors are retried; default: isRetryable. */
  retryable?(error: unknown): boolean;
  /** Relative share of the flow's progress. Default 1. */
  weight?: number;
}

export interface StepDescription {
  id: string;
  title: string;
  dependsOn: string[];
  level: number;
  weight: number;
  timeoutMs?: number;
  retries?: number;
  conditional: boolean;
}

export interface FlowDescription {
  name: string;
  steps: StepDescription[];
  /** Steps by level: each level's steps only depend on earlier levels, so they can run together. */
  levels: string[][];
}

export class Flow<C> {
  readonly name: string;
  private readonly byId = new Map<string, FlowStep<C>>();
  private readonly order: Array<FlowStep<C>> = [];
  private readonly levelOf = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
  }

  /** Adds a step and returns its id, to name it in later steps' dependsOn. */
  add(step: FlowStep<C>): string {
    const what = `Flow "${this.name}"`;
    if (!step.id) throw new Error(`${what}: a step needs an id (title "${step.title}").`);
    if (!step.title) throw new Error(`${what}: step "${step.id}" needs a title.`);
    if (this.byId.has(step.id)) throw new Error(`${what}: a step with id "${step.id}" was already added.`);
    const deps = step.dependsOn ?? [];
    const seen = new Set<string>();
    for (const dep of deps) {
      if (dep === step.id) throw new Error(`${what}: step "${step.id}" depends on itself.`);
      if (!this.byId.has(dep)) throw new Error(`${what}: step "${step.id}" depends on "${dep}", which is not a step of this flow (add dependencies first).`);
      if (seen.has(dep)) throw new Error(`${what}: step "${step.id}" lists dependency "${dep}" twice.`);
      seen.add(dep);
    }
    if (step.weight !== undefined && !(step.weight >= 0 && Number.isFinite(step.weight))) throw new Error(`${what}: step "${step.id}" has weight ${step.weight}; use a finite number >= 0.`);
    if (step.timeoutMs !== undefined && !(step.timeoutMs > 0)) throw new Error(`${what}: step "${step.id}" has timeoutMs ${step.timeoutMs}; use a positive number.`);
    const retries = retryPolicy(step)?.retries;
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new Error(`${what}: step "${step.id}" has retries ${retries}; use a whole number >= 0.`);
    // Dependencies exist already, so the graph stays acyclic by construction.
    this.byId.set(step.id, step);
    this.order.push(step);
    this.levelOf.set(step.id, deps.length === 0 ? 0 : Math.max(...deps.map((d) => this.levelOf.get(d)!)) + 1);
    return step.id;
  }

  /** Steps in the order they were added (a topological order). */
  get steps(): ReadonlyArray<FlowStep<C>> {
    return this.order;
  }

  get size(): number {
    return this.order.length;
  }

  step(id: string): FlowStep<C> | undefined {
    return this.byId.get(id);
  }

  /** Steps grouped by level: level 0 has no dependencies, level n depends on some step of level n-1. */
  levels(): string[][] {
    const levels: string[][] = [];
    for (const step of this.order) {
      const l = this.levelOf.get(step.id)!;
      (levels[l] ??= []).push(step.id);
    }
    return levels;
  }

  /** Every step that must be done before `id`, transitively. */
  ancestors(id: string): Set<string> {
    const out = new Set<string>();
    const visit = (s: string) => {
      for (const d of this.byId.get(s)?.dependsOn ?? []) {
        if (!out.has(d)) {
          out.add(d);
          visit(d);
        }
      }
    };
    visit(id);
    return out;
  }

  toJSON(): FlowDescription {
    return {
      name: this.name,
      steps: this.order.map((s) => {
        const d: StepDescription = {
          id: s.id,
          title: s.title,
          dependsOn: [...(s.dependsOn ?? [])],
          level: this.levelOf.get(s.id)!,
          weight: s.weight ?? 1,
          conditional: s.skip !== undefined,
        };
        if (s.timeoutMs !== undefined) d.timeoutMs = s.timeoutMs;
        const retries = retryPolicy(s)?.retries;
        if (retries) d.retries = retries;
        return d;
      }),
      levels: this.levels(),
    };
  }

  /**
   * The graph as text for --dry-run: one block per level (steps of a level may
   * run at the same time), each step with what it waits for.
   */
  describe(): string {
    const lines = [`Flow "${this.name}": ${this.order.length} step${this.order.length === 1 ? '' : 's'} in ${this.levels().length} level${this.levels().length === 1 ? '' : 's'}`];
    const idWidth = Math.max(0, ...this.order.map((s) => s.id.length));
    this.levels().forEach((ids, i) => {
      lines.push(`  Level ${i + 1}${ids.length > 1 ? ` (${ids.length} steps run concurrently)` : ''}:`);
      for (const id of ids) {
        const s = this.byId.get(id)!;
        const notes: string[] = [];
        if (s.dependsOn?.length) notes.push(`after ${s.dependsOn.join(', ')}`);
        if (s.skip) notes.push('may be skipped');
        if (s.timeoutMs !== undefined) notes.push(`timeout ${formatDuration(s.timeoutMs)}`);
        const retries = retryPolicy(s)?.retries;
        if (retries) notes.push(`${retries} ${retries === 1 ? 'retry' : 'retries'}`);
        lines.push(`    ${id.padEnd(idWidth)}  ${s.title}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
      }
    });
    return lines.join('\n') + '\n';
  }
}

export function retryPolicy(step: Pick<FlowStep<unknown>, 'retries'>): RetryPolicy | undefined {
  if (step.retries === undefined) return undefined;
  return typeof step.retries === 'number' ? { retries: step.retries } : step.retries;
}
