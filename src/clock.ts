/**
 * Where a run's time goes: wall-clock time while at least one program of a
 * kind runs (Go and Docker, or the cache transfers), so what is left is the
 * action's own overhead. Concurrent programs of a kind count once.
 */
export type Activity = 'go-and-docker' | 'cache'

interface Span {
  running: number
  since: number
  total: number
}

const started = Date.now()
const spans = new Map<Activity | 'any', Span>()

function span(a: Activity | 'any'): Span {
  let s = spans.get(a)
  if (!s) spans.set(a, (s = { running: 0, since: 0, total: 0 }))
  return s
}

/** Marks the start of an activity; call the returned function when it ends. */
export function begin(activity: Activity): () => void {
  const now = Date.now()
  for (const s of [span(activity), span('any')]) if (s.running++ === 0) s.since = now
  let ended = false
  return () => {
    if (ended) return
    ended = true
    const end = Date.now()
    for (const s of [span(activity), span('any')]) if (--s.running === 0) s.total += end - s.since
  }
}

export async function timed<T>(activity: Activity, work: () => Promise<T>): Promise<T> {
  const end = begin(activity)
  try {
    return await work()
  } finally {
    end()
  }
}

const seconds = (a: Activity | 'any', now: number): number => {
  const s = span(a)
  return (s.total + (s.running > 0 ? now - s.since : 0)) / 1000
}

/** Seconds so far: in all, per activity, and the action's own (outside every activity). */
export function runTimes(now: number = Date.now()): { total: number; goAndDocker: number; cache: number; own: number } {
  const total = (now - started) / 1000
  return { total, goAndDocker: seconds('go-and-docker', now), cache: seconds('cache', now), own: Math.max(0, total - seconds('any', now)) }
}

/** When a step of the pipeline ran, in seconds from the start: its first start to its last end (steps that overlap show it). */
export interface StepSpan {
  step: string
  from: number
  to: number
}

const stepSpans = new Map<string, { from: number; to: number; open: number }>()

/** Marks the start of a pipeline step (`align`, `build`, ...); call the returned function when it ends. */
export function stepBegins(step: string, now: number = Date.now()): () => void {
  const s = stepSpans.get(step) ?? { from: now, to: now, open: 0 }
  stepSpans.set(step, s)
  s.open++
  let ended = false
  return (end: number = Date.now()) => {
    if (ended) return
    ended = true
    s.open--
    s.to = Math.max(s.to, end)
  }
}

/** The steps so far in the order they started; one still running ends now. */
export function stepTimes(now: number = Date.now()): StepSpan[] {
  return [...stepSpans.entries()]
    .map(([step, s]) => ({ step, from: (s.from - started) / 1000, to: ((s.open > 0 ? now : s.to) - started) / 1000 }))
    .sort((a, b) => a.from - b.from)
}

/** One line for the log, e.g. `time: 14.2 s; Go and Docker 12.9 s, caches 0.8 s, the action itself 0.5 s; steps (s from the start): align 2.0-6.1, build 6.1-13.9`. */
export function describeRunTimes(t: ReturnType<typeof runTimes>, steps: StepSpan[] = []): string {
  const f = (x: number): string => `${x.toFixed(1)} s`
  const line = `time: ${f(t.total)}; Go and Docker ${f(t.goAndDocker)}, caches ${f(t.cache)}, the action itself ${f(t.own)}`
  return steps.length === 0 ? line : `${line}; steps (s from the start): ${steps.map(s => `${s.step} ${s.from.toFixed(1)}-${s.to.toFixed(1)}`).join(', ')}`
}
