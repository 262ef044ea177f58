import CoreMetrics
import Foundation
import GraphStore
import Prometheus

/// The service's metrics, recorded through swift-metrics and exposed by swift-prometheus
/// at `GET /metrics`. Each server has its own registry (not the process-wide
/// `MetricsSystem`), so servers started one after another in one process (the tests)
/// count separately. Names follow Prometheus' conventions: a `lexgraph_` prefix, base
/// units in the name (`_seconds`, `_bytes`), `_total` on counters.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: DocumentedPrometheusFactory
    let store: GraphStore
    private let inFlight: CoreMetrics.Meter
    private let databaseSize: CoreMetrics.Gauge

    static let help: [String: String] = [
        "lexgraph_http_requests_total": "HTTP requests answered, by method, route pattern and status code.",
        "lexgraph_http_request_duration_seconds": "Time from a request's arrival to its response, by method and route pattern.",
        "lexgraph_http_requests_in_flight": "Requests being answered now.",
        "lexgraph_query_duration_seconds": "Time one query statement ran, by access (read or write) and outcome (ok or error).",
        "lexgraph_model_inference_duration_seconds": "Time a model took to score one infer request's texts, by model name, version and outcome (ok or error).",
        "lexgraph_database_size_bytes": "Bytes of the graph database on disk (file and write-ahead log), measured at each scrape.",
        "lexgraph_build_info": "Always 1; the version label says which lexgraph this server is.",
    ]


    init(store: GraphStore) {
        self.store = store
        factory = DocumentedPrometheusFactory(registry: registry, help: ServerMetrics.help)
        inFlight = CoreMetrics.Meter(label: "lexgraph_http_requests_in_flight", factory: factory)
        databaseSize = CoreMetrics.Gauge(label: "lexgraph_database_size_bytes", factory: factory)
        CoreMetrics.Gauge(label: "lexgraph_build_info", dimensions: [("version", LexgraphServer.version)], factory: factory).record(1)
    }

    func requestStarted() { inFlight.increment() }

    /// One answered request. `route` is the route's pattern (`/db/{name}/tx/commit`), never
    /// the raw path, so that the number of series stays bounded.
    func requestFinished(method: String, route: String, status: Int, nanoseconds: UInt64) {
        inFlight.decrement()
        CoreMetrics.Counter(label: "lexgraph_http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))],
                            factory: factory).increment()
        CoreMetrics.Timer(label: "lexgraph_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
                          factory: factory).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    func queryFinished(writes: Bool, ok: Bool, nanoseconds: UInt64) {
        CoreMetrics.Timer(label: "lexgraph_query_duration_seconds", dimensions: [("access", writes ? "write" : "read"), ("outcome", ok ? "ok" : "error")],
                          factory: factory).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// One infer request's model time (loading and parsing excluded). Versions are few per
    /// model (each a registration), so the series stay bounded.
    func inferenceFinished(model: String, version: Int, ok: Bool, nanoseconds: UInt64) {
        CoreMetrics.Timer(label: "lexgraph_model_inference_duration_seconds",
                          dimensions: [("model", model), ("version", String(version)), ("outcome", ok ? "ok" : "error")],
                          factory: factory).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The Prometheus text exposition, the database size measured now.
    func exposition() -> String {
        databaseSize.record(store.fileSize())
        return registry.emitToString()
    }
}

/// swift-metrics' factory over a swift-prometheus registry, like swift-prometheus' own
/// `PrometheusMetricsFactory`, but giving each metric its `# HELP` text (that factory
/// leaves it empty) and latency buckets from 1 ms to 30 s.
struct DocumentedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let help: [String: String]

    static let buckets: [Duration] = [.milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                      .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: help[label] ?? "")
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: help[label] ?? "")
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: help[label] ?? "")
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        // Only gauges are recorded here (no value histograms).
        registry.makeGauge(name: label, labels: dimensions, help: help[label] ?? "")
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(name: label, labels: dimensions, buckets: Self.buckets, help: help[label] ?? "")
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
