// swift-tools-version: 6.1
// Lexgraph: a legal knowledge graph, a Cypher-like query language and a BERT-family
// transformer, one package. One library target per concern; see DESIGN notes in README.
import PackageDescription

let package = Package(
    name: "Lexgraph",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lexgraph", targets: ["lexgraph"]),
        .library(name: "GraphStore", targets: ["GraphStore"]),
        .library(name: "Query", targets: ["Query"]),
        .library(name: "Transformer", targets: ["Transformer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The HTTP service (`lexgraph serve`): server, lifecycle, logs, metrics, token hashing.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        // Hummingbird's own dependencies, named because the service uses their types
        // (header names, time amounts) directly.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The PostgreSQL backend's client (pooled connections, COPY, the extended protocol).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Shared value types: dates, typed values, source positions, errors.
        .target(name: "LexgraphCore"),
        // Curator-owned ontology: model, YAML, validation, diff, migrations.
        .target(name: "Ontology", dependencies: ["LexgraphCore", .product(name: "Yams", package: "Yams")]),
        // Encryption at rest over OpenSSL's libcrypto (apt: libsqlite3-dev, libssl-dev): an
        // AES-256-GCM SQLite VFS shim over the system SQLite 3.40 (see its .c file for why),
        // and the whole-buffer AES-GCM and PBKDF2 that module Sealing builds on.
        .target(name: "CLexgraphCrypt", linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("sqlite3")]),
        // SQLite store (GRDB): schema, nodes/edges, FTS5, loaders, recipes, as-of views.
        .target(name: "GraphStore", dependencies: [
            "LexgraphCore", "Ontology", "CLexgraphCrypt",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // The graph on a PostgreSQL server (issue 16): pooled postgres-nio connections,
        // schema and ontology install, COPY loads, compiled queries through PostgreSQLDialect.
        .target(name: "PostgresStore", dependencies: [
            "LexgraphCore", "Ontology", "GraphStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Walks (as-of BFS, personalized PageRank) and citator status.
        .target(name: "GraphAlgorithms", dependencies: ["LexgraphCore", "Ontology", "GraphStore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Cypher-like language: lexer, parser, binder, planner, SQL generation (and
        // `citator()`, which asks GraphAlgorithms for a case's good-law status).
        .target(name: "Query", dependencies: ["LexgraphCore", "GraphStore", "GraphAlgorithms", "Ontology", .product(name: "GRDB", package: "GRDB.swift"),
                                              .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // OpenBLAS through the system library (cblas.h, -lopenblas).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Float buffers, GEMM wrappers, fused element-wise kernels.
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // BERT WordPiece tokenizer (vocab.txt / tokenizer.json).
        .target(name: "Tokenizers", dependencies: ["LexgraphCore"]),
        // AES-256-GCM sealing at rest (swift-crypto): the one sealed-bytes format of masking
        // vaults and of artifacts (checkpoints, predictions) under the artifact key.
        .target(name: "Sealing", dependencies: ["LexgraphCore", "CLexgraphCrypt"]),
        // Safetensors I/O, BERT encoder forward/backward, heads, AdamW, training loop.
        .target(name: "Transformer", dependencies: ["Tensor", "Tokenizers", "LexgraphCore", "Sealing"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // As-of seed selection, verbalized graph facts, time-safe graph feature vectors.
        .target(name: "Grounding", dependencies: ["LexgraphCore", "GraphStore", "GraphAlgorithms", .product(name: "GRDB", package: "GRDB.swift")]),
        // Report output without dependencies: hand-written SVG charts (learning, ROC, reliability), Markdown tables.
        .target(name: "Reports", dependencies: ["LexgraphCore"]),
        // Case-outcome prediction: datasets and time splits, leakage-safe inputs, metrics,
        // baselines, evaluation protocol (fusion with the transformer comes on top); the
        // classical blend's text half reuses ContractReview's TF-IDF and sparse solver.
        .target(name: "Prediction", dependencies: ["LexgraphCore", "Sealing", "Ontology", "GraphStore", "GraphAlgorithms", "Grounding", "Transformer", "Tensor", "Tokenizers", "Reports", "Compliance", "ContractReview"]),
        // Contract review and document tagging: the clause tasks over the shared corpora
        // (readers, heading removal, committed splits, metrics), contract segmentation, and
        // the reviewer that labels clauses, flags unfair terms and finds missing ones in
        // the contracts graph.
        .target(name: "ContractReview", dependencies: ["LexgraphCore", "GraphStore", "Tensor", "Transformer", "Tokenizers", "Reports", "Sealing"]),
        // Legal text for domain-adaptive pretraining from the shared data files, with every
        // downstream test text kept out (clause splits from ContractReview, SCOTUS test
        // terms from Prediction); reads files, never the graph.
        .target(name: "PretrainingCorpus", dependencies: ["LexgraphCore", "GraphStore", "ContractReview", "Prediction"]),
        // Line editing for the interactive shell: key decoding, editor state machine with
        // history, display width, one-row renderer, termios raw mode (no third-party code).
        .target(name: "Terminal", dependencies: ["LexgraphCore"]),
        // PII masking (detection, placeholders or seeded substitutes, the AES-GCM vault),
        // masking policies, and the hash-chained audit log over GraphStore's table.
        .target(name: "Compliance", dependencies: [
            "LexgraphCore", "Ontology", "GraphStore", "Sealing",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The HTTP service over the façades (no SQL here): config, API-token auth and roles,
        // the graph in its SQLite file or on PostgreSQL (PostgresStore),
        // the Neo4j-style transaction endpoint, KServe v2 health and model routes over the
        // model registry (ContractReview's classifiers; Prediction's run folders), Prometheus
        // metrics, request limits and graceful shutdown (Hummingbird 2).
        .target(name: "Server", dependencies: [
            "LexgraphCore", "GraphStore", "PostgresStore", "Query", "ContractReview", "Prediction", "Compliance", "ActiveLearning", "Ontology",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // Active learning: a curator loop over an unlabelled pool (query strategies, state
        // that resumes, a stopping rule) and its simulation on labelled data, with a head over
        // frozen sentence embeddings trained by the one TrainingLoop.
        .target(name: "ActiveLearning", dependencies: ["LexgraphCore", "Tensor", "Transformer", "Reports"]),
        // Hyperparameter search (`lexgraph tune`): a space file, ASHA over fine-tuning runs
        // that resume rung to rung, the study in its own SQLite file, results and chart.
        .target(name: "HyperparameterSearch", dependencies: ["LexgraphCore", "Transformer", "Tokenizers", "Reports",
                                                            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Yams", package: "Yams")]),
        // Monitoring of a served case-outcome run: drift of incoming cases against its
        // training cases (PSI, KS, chi-square as scipy and Evidently define them; text
        // length and out-of-vocabulary rate), as a table, JSON and a report with a chart;
        // rolling scores of arrived outcomes and the retraining policy (a YAML file).
        .target(name: "Monitoring", dependencies: ["LexgraphCore", "Prediction", "Tokenizers", "Reports", .product(name: "Yams", package: "Yams")]),
        // The CLI: one small command type per verb.
        .executableTarget(name: "lexgraph", dependencies: [
            "LexgraphCore", "Ontology", "GraphStore", "PostgresStore", "GraphAlgorithms", "Query", "Tokenizers", "Tensor", "Transformer", "Grounding", "Prediction", "Reports", "Terminal", "ContractReview", "ActiveLearning", "PretrainingCorpus", "Compliance", "Server", "HyperparameterSearch", "Sealing", "Monitoring",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // What every test target needs for resources the suite cannot make (model, shared
        // data, TCK, CLI binary): skip locally, fail under CI (LEXGRAPH_REQUIRE_ALL=1).
        .target(name: "TestRequirements", path: "Tests/TestRequirements"),
        .testTarget(name: "LexgraphCoreTests", dependencies: ["LexgraphCore"]),
        .testTarget(name: "OntologyTests", dependencies: ["LexgraphCore", "Ontology"]),
        .testTarget(name: "GraphStoreTests", dependencies: ["TestRequirements", "GraphStore", "Ontology", "LexgraphCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // The PostgreSQL store against the real server tools/test.sh starts.
        .testTarget(name: "PostgresStoreTests", dependencies: ["TestRequirements", "PostgresStore", "GraphStore", "LexgraphCore", "Compliance",
                                                              .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "GraphAlgorithmsTests", dependencies: ["LexgraphCore", "Ontology", "GraphAlgorithms", "GraphStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "QueryTests", dependencies: ["TestRequirements", "LexgraphCore", "Ontology", "Query", "GraphStore", "PostgresStore", "GraphAlgorithms",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TokenizersTests", dependencies: ["TestRequirements", "LexgraphCore", "Tokenizers"]),
        .testTarget(name: "GroundingTests", dependencies: ["TestRequirements", "LexgraphCore", "Grounding", "GraphStore", "GraphAlgorithms",
                                                           .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PredictionTests", dependencies: ["TestRequirements", "Prediction", "LexgraphCore", "Grounding", "GraphStore", "Ontology", "Reports", "Sealing",
                                                            "Tokenizers", "Transformer", "Tensor", "Compliance"]),
        // FoundationXML: the toolchain's XMLParser on Linux (part of Foundation on macOS),
        // which checks that the charts are well-formed XML.
        .testTarget(name: "ReportsTests", dependencies: ["Reports"],
                    linkerSettings: [.linkedLibrary("FoundationXML", .when(platforms: [.linux]))]),
        .testTarget(name: "ContractReviewTests", dependencies: ["TestRequirements", "ContractReview", "LexgraphCore", "GraphStore", "Transformer", "Tokenizers"]),
        .testTarget(name: "PretrainingCorpusTests", dependencies: ["TestRequirements", "PretrainingCorpus", "LexgraphCore"]),
        .testTarget(name: "ComplianceTests", dependencies: ["TestRequirements", "Compliance", "GraphStore", "LexgraphCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TerminalTests", dependencies: ["TestRequirements", "Terminal"]),
        .testTarget(name: "ActiveLearningTests", dependencies: ["TestRequirements", "ActiveLearning", "LexgraphCore", "Transformer"]),
        .testTarget(name: "HyperparameterSearchTests", dependencies: ["HyperparameterSearch", "Transformer", "Tokenizers", "Tensor"]),
        .testTarget(name: "MonitoringTests", dependencies: ["TestRequirements", "Monitoring", "Prediction", "LexgraphCore", "Tokenizers"]),
        .testTarget(name: "TransformerTests", dependencies: ["TestRequirements", "LexgraphCore", "Transformer", "Tensor", "Tokenizers", "Sealing"]),
        // The real `lexgraph` binary end to end: every README example command, error style,
        // output escaping and formats, the shell. Runs the built binary; GRDB only to make
        // or inspect database files as another program would.
        .testTarget(name: "CLITests", dependencies: ["TestRequirements", .product(name: "GRDB", package: "GRDB.swift")],
                    linkerSettings: [.linkedLibrary("FoundationNetworking", .when(platforms: [.linux]))]),
        // The real HTTP server on a loopback port, spoken to over TCP (URLSession).
        .testTarget(name: "ServerTests", dependencies: ["TestRequirements", "Server", "GraphStore", "Query", "Ontology", "LexgraphCore", "ContractReview", "Compliance", "Sealing", "Prediction", "Grounding", "ActiveLearning", "Transformer",
                                                       .product(name: "Logging", package: "swift-log"),
                                                       .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                    linkerSettings: [.linkedLibrary("FoundationNetworking", .when(platforms: [.linux]))]),
    ]
)
