module ameide.io/sdk

go 1.26.0

require (
	connectrpc.com/connect v1.21.1
	go.opentelemetry.io/otel/trace v1.44.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.opentelemetry.io/otel v1.44.0 // indirect
)
