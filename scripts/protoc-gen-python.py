"""protoc plugin that runs protoc's built-in Python generators (`--python_out`
and `--pyi_out`) from the `protoc` that PyPI's grpcio-tools ships.

Buf runs it as a local plugin (through scripts/protoc-plugin.mjs, which picks
the SDK's Python environment), so `buf generate` needs no system protoc: the
CodeGeneratorRequest's files become a descriptor set, grpcio-tools' protoc
generates from it into a temporary folder, and every file it wrote is answered
back to Buf. The plugin parameter is passed to both generators (none is used
today).
"""

from __future__ import annotations

import os
import sys
import tempfile

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse()
    # Proto3 optional fields are understood by the built-in generator.
    response.supported_features = plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    with tempfile.TemporaryDirectory(prefix="ameide-protoc-py-") as tmp:
        descriptors = os.path.join(tmp, "request.binpb")
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        fds = descriptor_pb2.FileDescriptorSet(file=request.proto_file)
        with open(descriptors, "wb") as f:
            f.write(fds.SerializeToString())
        param = request.parameter
        prefix = f"{param}:" if param else ""
        args = [
            "protoc",
            f"--descriptor_set_in={descriptors}",
            f"--python_out={prefix}{out}",
            f"--pyi_out={prefix}{out}",
            *request.file_to_generate,
        ]
        # protoc prints its own diagnostics on stderr; buf shows them.
        code = protoc.main(args)
        if code != 0:
            response.error = f"grpc_tools.protoc exited with {code} (args: {' '.join(args[1:])})"
            return response
        for dirpath, _dirs, files in os.walk(out):
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                generated = response.file.add()
                generated.name = os.path.relpath(path, out).replace(os.sep, "/")
                with open(path, encoding="utf-8") as f:
                    generated.content = f.read()
    response.file.sort(key=lambda f: f.name)
    return response


def main() -> None:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())


if __name__ == "__main__":
    main()
