'use client';

import { useQuery } from '@tanstack/react-query';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Card, CardBody, CardHeader, EmptyState, ErrorState } from '@/components/ui/card';
import { duration } from '@/lib/format-time';
import { latencyQuery } from '@/lib/query/propagation';

const formatMs = (value: unknown) => (typeof value === 'number' ? duration(value) : '—');

/** One bar per percentile and region: the typical arrival and the slow tail. */
const bars = [
  { key: 'p50', fill: '#3b6ef6' },
  { key: 'p99', fill: '#f59e0b' },
] as const;

/**
 * p50/p99 time to arrive per region over recent saves, for one app or (support) the whole fleet.
 * The figures are also listed under the chart, so they can be read without seeing it.
 */
export function LatencyChart({ appId = null }: { appId?: string | null }) {
  const { data, error, isPending } = useQuery(latencyQuery(appId));
  const rows =
    data?.regions.map((r) => ({
      region: r.region,
      p50: r.p50Ms,
      p99: r.p99Ms,
      samples: r.samples,
      byPoll: r.method === 'poll',
    })) ?? [];
  const measured = rows.some((r) => r.samples > 0);
  return (
    <Card>
      <CardHeader
        title="Time to arrive per region"
        description={`${appId ? 'This app’s' : 'All tenants’'} saves over the last ${data?.hours ?? 24} hours: median (p50) and worst percent (p99), from commit to arrival.`}
      />
      {error && <ErrorState title="Could not load the latency figures">{error.message}</ErrorState>}
      {isPending && (
        <CardBody>
          <div className="h-52 animate-pulse rounded bg-slate-100" />
        </CardBody>
      )}
      {data && !measured && (
        <EmptyState title="No arrivals measured yet">
          Figures appear after the next save, once the worker has seen it arrive.
        </EmptyState>
      )}
      {data && measured && (
        <CardBody>
          <div
            role="img"
            aria-label="Bar chart of p50 and p99 time to arrive per region; the figures are listed below."
            className="h-56"
          >
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                <XAxis dataKey="region" tick={{ fontSize: 12, fill: '#475569' }} />
                <YAxis
                  tickFormatter={formatMs}
                  tick={{ fontSize: 12, fill: '#475569' }}
                  width={64}
                />
                <Tooltip formatter={formatMs} cursor={{ fill: '#f1f5f9' }} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {bars.map((bar) => (
                  <Bar
                    key={bar.key}
                    dataKey={bar.key}
                    name={bar.key}
                    fill={bar.fill}
                    radius={[3, 3, 0, 0]}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-1 text-xs text-slate-600 sm:grid-cols-4">
            {rows.map((r) => (
              <div key={r.region}>
                <dt className="font-medium text-slate-800">{r.region}</dt>
                <dd className="tabular-nums">
                  {r.samples > 0
                    ? `p50 ${formatMs(r.p50)} · p99 ${formatMs(r.p99)} · ${r.samples} save${r.samples === 1 ? '' : 's'}${r.byPoll ? ' (by polling: upper bounds)' : ''}`
                    : 'no arrivals yet'}
                </dd>
              </div>
            ))}
          </dl>
        </CardBody>
      )}
    </Card>
  );
}
