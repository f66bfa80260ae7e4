#!/usr/bin/python3
"""hostflowd's gRPC API seen from a client that is not ours.

Stubs are generated from proto/hostflow/v1/hostflow.proto at test time with
protoc's Python output and Debian's grpc_python_plugin; the client is
Debian's python3-grpcio. The real hostflowd gets the scenario capture over
UDP on 127.0.0.1, then every answer is checked against another answer of the
API: a host's windows of one length add up to the same totals as its windows
of another, a ranking holds the same values as the host's own windows, and
a network map's cells add up to the ranking of the hosts under it.

Usage: api_client_test.py --hostflowd PATH --proto-dir DIR --capture FILE
"""

import argparse
import importlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ARGS = None
SCANNER = "10.10.10.77"  # the scenario's horizontal scanner
RECORDS_IN_CAPTURE = 143_481


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_payloads(path):
    """The UDP payloads of a pcap file (Ethernet or raw IPv4 frames)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}.get(magic)
    if endian is None:
        raise ValueError(f"{path}: not a pcap file (magic {magic.hex()})")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        frame = data[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen
        ip = frame[14:] if linktype == 1 else frame
        if linktype == 1 and frame[12:14] != b"\x08\x00":
            continue
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        header = (ip[0] & 0x0F) * 4
        yield ip[header + 8:]


def generate_stubs(proto_dir, out_dir):
    proto_dir = os.path.abspath(proto_dir)
    os.makedirs(out_dir, exist_ok=True)
    proto = os.path.join("hostflow", "v1", "hostflow.proto")
    plugin = shutil.which("grpc_python_plugin")
    if plugin is None:
        raise RuntimeError("grpc_python_plugin not found (Debian package protobuf-compiler-grpc)")
    subprocess.run(["protoc", f"-I{proto_dir}", "-I/usr/include", f"--python_out={out_dir}",
                    f"--grpc_python_out={out_dir}", f"--plugin=protoc-gen-grpc_python={plugin}",
                    proto], check=True, cwd=proto_dir)
    sys.path.insert(0, out_dir)
    pb = importlib.import_module("hostflow.v1.hostflow_pb2")
    rpc = importlib.import_module("hostflow.v1.hostflow_pb2_grpc")
    return pb, rpc


class ApiFromAnotherClient(unittest.TestCase):
    """One hostflowd for all cases: started, fed the capture once."""

    @classmethod
    def setUpClass(cls):
        import grpc  # Debian's python3-grpcio
        cls.grpc = grpc
        cls.work = tempfile.mkdtemp(prefix="hostflow-python-")
        cls.pb, rpc = generate_stubs(ARGS.proto_dir, os.path.join(cls.work, "stubs"))
        udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
        metrics = free_port(socket.SOCK_STREAM)
        config = os.path.join(cls.work, "hostflowd.json")
        with open(config, "w") as f:
            json.dump({"udp_receive_buffer_bytes": 8 * 1024 * 1024}, f)
        cls.log = open(os.path.join(cls.work, "hostflowd.log"), "w")
        cls.daemon = subprocess.Popen(
            [ARGS.hostflowd, "--config", config, "--udp-listen", f"127.0.0.1:{udp}",
             "--grpc-listen", f"127.0.0.1:{tcp}", "--metrics-listen", f"127.0.0.1:{metrics}",
             "--data-dir", os.path.join(cls.work, "data")],
            stdout=cls.log, stderr=subprocess.STDOUT)
        cls.channel = grpc.insecure_channel(f"127.0.0.1:{tcp}")
        cls.api = rpc.HostflowStub(cls.channel)
        cls.wait_for(lambda: cls.api.GetStatus(cls.pb.GetStatusRequest(), timeout=2) is not None,
                     "the API to answer")
        # A stream of the scenario network's 1 min windows, open before any
        # record arrives, read on its own thread until the server ends it.
        cls.streamed = []
        cls.stream = cls.api.StreamProfiles(cls.pb.StreamProfilesRequest(
            network="10.10.0.0/16", granularity=cls.pb.GRANULARITY_1_MINUTE), timeout=120)
        cls.stream_end = None

        def read_stream():
            try:
                for message in cls.stream:
                    cls.streamed.append(message)
            except grpc.RpcError as e:
                cls.stream_end = e.code()

        cls.reader = threading.Thread(target=read_stream, daemon=True)
        cls.reader.start()
        cls.wait_for(lambda: cls.status().profile_streams == 1, "the stream to open")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i, payload in enumerate(udp_payloads(ARGS.capture)):
                s.sendto(payload, ("127.0.0.1", udp))
                if i % 200 == 199:
                    time.sleep(0.005)  # well below what the receiver takes
        cls.wait_for(lambda: cls.status().ingest.records == RECORDS_IN_CAPTURE,
                     f"{RECORDS_IN_CAPTURE} records to arrive")
        # The shards take the last batches a moment after the receivers.
        cls.wait_for(lambda: sum(s.record_views for s in cls.status().shards)
                     == cls.status().ingest.record_views_sent, "the shards to take every view")

    @classmethod
    def tearDownClass(cls):
        cls.stream.cancel()
        cls.reader.join(timeout=10)
        cls.channel.close()
        cls.daemon.send_signal(signal.SIGTERM)
        try:
            cls.daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.daemon.kill()
            cls.daemon.wait()
        cls.log.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def wait_for(cls, condition, what, limit=30.0):
        deadline = time.monotonic() + limit
        last_error = None
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except cls.grpc.RpcError as e:
                last_error = e
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what} (last error: {last_error})")

    @classmethod
    def status(cls):
        return cls.api.GetStatus(cls.pb.GetStatusRequest(), timeout=5)

    def profile(self, host, granularity):
        pb = self.pb
        request = pb.GetHostProfileRequest(host=host, granularities=[granularity])
        request.time_range.start.seconds = 0  # from the epoch to the newest open window
        return self.api.GetHostProfile(request, timeout=5)

    # -- the cases --------------------------------------------------------------------

    def test_status_counts_every_record_of_the_capture(self):
        status = self.status()
        self.assertEqual(status.ingest.records, RECORDS_IN_CAPTURE)
        self.assertEqual(status.ingest.kernel_drops, 0)
        self.assertEqual(status.ingest.dropped_record_views, 0)
        self.assertGreater(status.hosts_in_memory, 0)
        self.assertTrue(status.version)
        self.assertEqual(sum(s.record_views for s in status.shards),
                         status.ingest.record_views_sent)

    def test_a_hosts_windows_add_up_alike_at_every_length(self):
        pb = self.pb
        totals = {}
        for g in (pb.GRANULARITY_10_SECONDS, pb.GRANULARITY_30_SECONDS,
                  pb.GRANULARITY_1_MINUTE, pb.GRANULARITY_5_MINUTES):
            answer = self.profile(SCANNER, g)
            self.assertEqual(answer.host, SCANNER)
            windows = list(answer.closed_windows) + list(answer.open_windows)
            self.assertTrue(windows, f"no windows at granularity {g}")
            for w in windows:
                self.assertEqual(w.granularity, g)
            out = [w for w in windows if w.direction == pb.DIRECTION_OUT]
            totals[g] = (sum(w.flows for w in out), sum(w.packets for w in out),
                         sum(w.bytes for w in out))
        self.assertGreater(totals[pb.GRANULARITY_10_SECONDS][0], 1000)  # it scans
        self.assertEqual(len(set(totals.values())), 1, totals)

    def test_rankings_and_maps_hold_the_hosts_own_numbers(self):
        pb = self.pb
        answer = self.profile(SCANNER, pb.GRANULARITY_1_MINUTE)
        closed = [w for w in answer.closed_windows if w.direction == pb.DIRECTION_OUT]
        self.assertTrue(closed, "the scanner has no closed 1 min window")
        checked = 0
        for w in closed:
            top = self.api.TopHosts(pb.TopHostsRequest(
                metric=pb.METRIC_BYTES, granularity=pb.GRANULARITY_1_MINUTE,
                direction=pb.DIRECTION_OUT, window_start=w.start, network="10.10.0.0/16",
                limit=10000), timeout=5)
            self.assertFalse(top.window_open)
            values = [h.value for h in top.hosts]
            self.assertEqual(values, sorted(values, reverse=True))
            mine = [h.value for h in top.hosts if h.address == SCANNER]
            self.assertEqual(mine, [float(w.bytes)])
            cells = self.api.GetNetworkMap(pb.GetNetworkMapRequest(
                network="10.10.0.0/16", cell_prefix_length=24, metric=pb.METRIC_BYTES,
                granularity=pb.GRANULARITY_1_MINUTE, direction=pb.DIRECTION_OUT,
                window_start=w.start), timeout=5)
            self.assertAlmostEqual(sum(c.value for c in cells.cells), sum(values), delta=0.5)
            self.assertEqual(sum(c.hosts for c in cells.cells), len(top.hosts))
            checked += 1
        self.assertGreater(checked, 0)

    def test_a_stream_delivers_the_closed_windows_a_profile_reports(self):
        pb = self.pb
        answer = self.profile(SCANNER, pb.GRANULARITY_1_MINUTE)
        closed = {(w.direction, w.start.seconds): w for w in answer.closed_windows}
        self.assertTrue(closed)

        def streamed_for_scanner():
            return {(m.window.direction, m.window.start.seconds): m.window
                    for m in list(self.streamed) if m.host == SCANNER}

        self.wait_for(lambda: len(streamed_for_scanner()) >= len(closed),
                      "the stream to carry the scanner's closed windows")
        streamed = streamed_for_scanner()
        self.assertEqual(set(streamed), set(closed))
        for key, window in closed.items():
            self.assertEqual(streamed[key], window)
        hosts = {m.host for m in list(self.streamed)}
        self.assertTrue(all(h.startswith("10.10.") for h in hosts), hosts)

    def test_bad_requests_get_invalid_argument_naming_the_field(self):
        pb = self.pb
        with self.assertRaises(self.grpc.RpcError) as caught:
            self.api.GetHostProfile(pb.GetHostProfileRequest(host="10.0.0.300"), timeout=5)
        self.assertEqual(caught.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("10.0.0.300", caught.exception.details())
        with self.assertRaises(self.grpc.RpcError) as caught:
            self.api.GetNetworkMap(pb.GetNetworkMapRequest(
                network="10.0.0.0/8", cell_prefix_length=32, metric=pb.METRIC_BYTES,
                granularity=pb.GRANULARITY_1_MINUTE, direction=pb.DIRECTION_OUT), timeout=5)
        self.assertEqual(caught.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("cell_prefix_length", caught.exception.details())


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--hostflowd", required=True)
    parser.add_argument("--proto-dir", required=True)
    parser.add_argument("--capture", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
