"""Asks the demo's gRPC health service with the gRPC project's own client
(PyPI grpcio + grpcio-health-checking), and prints one JSON line per answer
for examples/tests/grpc_interop.rs:

    python health_client.py 127.0.0.1:50051

Check of the server, of checks and of an unknown name; List; then a Watch of
the server that prints "watching" once it has the first status, so the test
can begin the demo's shutdown, and every status after that until the stream
ends.
"""

import json
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def status_name(status):
    return health_pb2.HealthCheckResponse.ServingStatus.Name(status)


def say(**fields):
    print(json.dumps(fields), flush=True)


def main(target):
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ["", "readiness", "liveness", "primary_db", "cache", "no_such_check"]:
            try:
                answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
                say(call="Check", service=service, status=status_name(answer.status))
            except grpc.RpcError as error:
                say(call="Check", service=service, code=error.code().name)
        listed = stub.List(health_pb2.HealthListRequest(), timeout=5)
        say(call="List", statuses={name: status_name(s.status) for name, s in listed.statuses.items()})
        watch = stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=60)
        first = True
        try:
            for answer in watch:
                say(call="Watch", status=status_name(answer.status))
                if first:
                    say(call="watching")
                    first = False
            say(call="Watch", ended="ok")
        except grpc.RpcError as error:
            say(call="Watch", ended=error.code().name)


if __name__ == "__main__":
    main(sys.argv[1])
