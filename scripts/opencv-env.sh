# Sourced by the setup and run scripts: points @u4/opencv4nodejs at the system OpenCV
# (Debian's libopencv-dev) and stops it from downloading and building its own.
# pkg-config knows the library folder on every architecture (x86_64, aarch64, armhf).
OPENCV_LIB_DIR="$(pkg-config --variable=libdir opencv4 2>/dev/null || true)"
if [ -z "$OPENCV_LIB_DIR" ]; then
  OPENCV_LIB_DIR="/usr/lib/$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)"
fi
OPENCV_INCLUDE_DIR="$(pkg-config --variable=includedir opencv4 2>/dev/null || echo /usr/include/opencv4)"
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1
export OPENCV_INCLUDE_DIR OPENCV_LIB_DIR
export OPENCV_BIN_DIR=/usr/bin
