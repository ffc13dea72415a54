#!/usr/bin/env python3
"""A small RTSP camera for the tests: GStreamer's RTSP server (Debian's gir1.2-gst-rtsp-server-1.0).

Serves /stream on 127.0.0.1 as H.264 (x264enc) or MJPEG, from a moving test pattern or from an MJPEG
AVI file, optionally behind a user name and password (basic or digest authentication). Prints one JSON line
{"port": N} once it listens, then runs until killed. The tests stop it (SIGKILL: a camera that dies),
start it again on the same port, and freeze it (SIGSTOP: a stream that stalls without closing).

  rtsp-server.py [--port 0] [--codec h264|jpeg] [--file clip.avi] [--size 320x240] [--fps 10]
                 [--user U --password P [--auth basic|digest]]
"""
import argparse
import json
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def pipeline(args):
    width, height = args.size.split('x')
    if args.file:
        # The file is already MJPEG: sent as it is, or decoded once for H.264.
        src = f'filesrc location="{args.file}" ! avidemux ! jpegparse'
        raw = f'{src} ! jpegdec ! videoconvert'
        jpeg = src
    else:
        caps = f'video/x-raw,width={width},height={height},framerate={args.fps}/1'
        raw = f'videotestsrc is-live=true pattern=ball ! {caps} ! videoconvert'
        jpeg = f'{raw} ! jpegenc quality=80'
    if args.codec == 'jpeg':
        return f'( {jpeg} ! rtpjpegpay name=pay0 pt=26 )'
    # A key frame every second, so a client that (re)connects gets a picture quickly.
    enc = f'x264enc tune=zerolatency speed-preset=ultrafast key-int-max={args.fps}'
    return f'( {raw} ! {enc} ! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )'


def protect(server, factory, user, password, method):
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', 'camera-user')
    if method == 'digest':
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(user, password, token)
    else:
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    role = Gst.Structure.from_string(
        'camera-user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true'
    )[0]
    factory.add_role_from_structure(role)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--codec', choices=['h264', 'jpeg'], default='h264')
    parser.add_argument('--file')
    parser.add_argument('--size', default='320x240')
    parser.add_argument('--fps', type=int, default=10)
    parser.add_argument('--user')
    parser.add_argument('--password')
    parser.add_argument('--auth', choices=['basic', 'digest'], default='basic')
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline(args))
    # One pipeline per client: each connection starts the clip from its first frame.
    factory.set_shared(False)
    # Interleaved in the RTSP connection (TCP) only: loopback without UDP ports to pick.
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if args.user:
        protect(server, factory, args.user, args.password or '', args.auth)
    server.get_mount_points().add_factory('/stream', factory)
    if server.attach(None) == 0:
        print(f'cannot listen on port {args.port}', file=sys.stderr)
        sys.exit(2)
    print(json.dumps({'port': server.get_bound_port()}), flush=True)
    GLib.MainLoop().run()


if __name__ == '__main__':
    main()
