import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App, tracing } from '../src/index.js';
import { inject, startTestServer } from './support/testing.js';

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  otel.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  otel.context.setGlobalContextManager(contextManager.enable());
  otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  otel.trace.disable();
  otel.context.disable();
  otel.propagation.disable();
});
beforeEach(() => exporter.reset());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function app() {
  const a = new App({ logger: false });
  a.use(tracing({ api: otel }));
  a.get('/users/:id', async (req) => {
    await new Promise((r) => setTimeout(r, 2));
    const active = otel.trace.getActiveSpan()?.spanContext();
    // a child span started by code the handler calls, after an await
    const child = otel.trace.getTracer('test').startSpan('db.query');
    await Promise.resolve();
    child.end();
    return { id: req.params.id, traceId: active?.traceId, spanId: active?.spanId };
  });
  a.get('/boom', () => {
    throw new Error('x');
  });
  return a;
}

describe('tracing() with OpenTelemetry', () => {
  it('continues the W3C traceparent through an async handler: one server span named by the route', async () => {
    const res = await inject(app(), { url: '/users/7', headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    const body = res.json() as { id: string; traceId: string; spanId: string };
    expect(body.traceId).toBe(TRACE);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'GET /users/:id')!;
    const child = spans.find((s) => s.name === 'db.query')!;
    expect(server.kind).toBe(otel.SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(TRACE);
    expect(server.parentSpanContext?.spanId).toBe(PARENT);
    expect(server.spanContext().spanId).toBe(body.spanId); // the handler ran in the server span
    expect(child.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(server.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/users/:id', 'url.path': '/users/7', 'http.response.status_code': 200 });
  });

  it('starts a new trace without traceparent; 5xx and 404 are recorded', async () => {
    const a = app();
    await inject(a, '/boom');
    await inject(a, '/nope');
    const [boom, nope] = exporter.getFinishedSpans();
    expect([boom!.name, boom!.status.code, boom!.attributes['http.response.status_code']]).toEqual(['GET /boom', otel.SpanStatusCode.ERROR, 500]);
    expect(boom!.parentSpanContext).toBeUndefined();
    expect([nope!.name, nope!.attributes['http.response.status_code']]).toEqual(['GET', 404]);
  });

  it('over a real socket', async () => {
    const server = await startTestServer(app());
    try {
      const res = await fetch(`${server.url}/users/1`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
      expect(((await res.json()) as { traceId: string }).traceId).toBe(TRACE);
    } finally {
      await server.close();
    }
    expect(exporter.getFinishedSpans().some((s) => s.name === 'GET /users/:id' && s.parentSpanContext?.spanId === PARENT)).toBe(true);
  });

  it('rejects a missing api', () => {
    expect(() => tracing({} as never)).toThrow(TypeError);
  });
});
