// Rounds for make bench: every throughput row is measured BENCH_ROUNDS
// times (5 unless set), in turns with the rows it is compared with (row,
// its no-op, row, no-op, ...), so that a noisy moment of the shared
// machine hits both; a row is reported as the median of its rounds and
// their spread (min-max), and a ratio as the quotient of the two medians,
// beside the spread of the ratios of each round.  bench/analysis.md says
// why.

'use strict';

const fs = require('node:fs');

const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 5)) || 5);

/** The q-quantile of a sorted array (linear between neighbours). */
function quantile(sorted, q) {
	if (sorted.length === 0) return NaN;
	const i = (sorted.length - 1) * q;
	const lo = Math.floor(i);
	const hi = Math.ceil(i);
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/** { n, median, min, max, q1, q3 } of numbers. */
function summary(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return { n: s.length, median: quantile(s, 0.5), min: s[0], max: s[s.length - 1],
	    q1: quantile(s, 0.25), q3: quantile(s, 0.75) };
}

/**
 * Measure each of keys once per round, in turns, `rounds` times:
 * measure(key, round) resolves to one loadgen result.  Resolves to
 * { key: [result of round 1, ...] }.
 */
async function interleave(keys, measure, rounds = ROUNDS) {
	const runs = Object.fromEntries(keys.map((k) => [k, []]));
	for (let r = 0; r < rounds; r++)
		for (const k of keys) runs[k].push(await measure(k, r));
	return runs;
}

/** CPU time (ns) the processes have used so far: /proc/PID/schedstat. */
function cpuNs(pids) {
	let ns = 0;
	for (const p of pids) {
		try { ns += Number(fs.readFileSync(`/proc/${p}/schedstat`, 'utf8').split(' ')[0]); } catch { /* gone */ }
	}
	return ns;
}

/**
 * run() (a loadgen) with cpu_us set on its result: the CPU the processes
 * used per request while it ran (the warm-up's share included), or
 * undefined without pids.
 */
async function withCpu(pids, run) {
	const before = cpuNs(pids);
	const r = await run();
	if (pids.length > 0) r.cpu_us = (cpuNs(pids) - before) / 1000 / Math.max(1, r.requests);
	return r;
}

/**
 * One row from its rounds: the medians of req/s, p50 and p99, the spread
 * of req/s, the requests that failed in all rounds (not 2xx, or errors).
 */
function row(results) {
	const rps = summary(results.map((x) => x.rps));
	return { rps: rps.median, spread: rps, rounds: results.map((x) => x.rps),
	    p50: summary(results.map((x) => x.p50_ms)).median,
	    p99: summary(results.map((x) => x.p99_ms)).median,
	    errors: results.reduce((s, x) => s + x.errors + x.requests - x.ok, 0),
	    cpu_us: results.every((x) => x.cpu_us !== undefined) ?
		summary(results.map((x) => x.cpu_us)).median : undefined };
}

/**
 * A row against its ceiling, both from interleaved rounds: the quotient
 * of the medians, and the spread of the quotients of each round.
 */
function ratio(num, den) {
	const per = num.rounds.map((x, i) => x / den.rounds[i]);
	return { value: num.rps / den.rps, spread: summary(per) };
}

const f1 = (x) => Number(x).toFixed(1);
const f2 = (x) => Number(x).toFixed(2);

/** "median (min–max)" of a row's req/s. */
const rpsCell = (r) => `${f1(r.rps)} (${f1(r.spread.min)}–${f1(r.spread.max)})`;
/** "0.93 × (rounds 0.88–0.97)" of a ratio. */
const ratioCell = (q) => `${f2(q.value)} × (rounds ${f2(q.spread.min)}–${f2(q.spread.max)})`;

module.exports = { ROUNDS, quantile, summary, interleave, cpuNs, withCpu, row, ratio, rpsCell, ratioCell };
