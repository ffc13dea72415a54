// Loads the OpenCV addon built by scripts/setup.sh against the system OpenCV.
// The loader of @u4/opencv4nodejs looks for its own downloaded build unless told otherwise, so the
// same settings as the build are put in place before it is imported.
import { execFileSync } from 'node:child_process';

export type CV = typeof import('@u4/opencv4nodejs').cv;
export type Mat = import('@u4/opencv4nodejs').Mat;

let loaded: Promise<CV> | undefined;
let ready: CV | undefined;

function systemLibDir(): string {
  try {
    return execFileSync('pkg-config', ['--variable=libdir', 'opencv4'], { encoding: 'utf8' }).trim();
  } catch {
    return `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : process.arch === 'arm' ? 'arm' : 'x86_64'}-linux-gnu`;
  }
}

/** Imports OpenCV once; a missing or unbuilt addon gives an error that says how to fix it. */
export function loadOpenCV(): Promise<CV> {
  loaded ??= (async () => {
    process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
    process.env.OPENCV_BIN_DIR ??= '/usr/bin';
    process.env.OPENCV_INCLUDE_DIR ??= '/usr/include/opencv4';
    process.env.OPENCV_LIB_DIR ??= systemLibDir();
    // The addon's external-memory tracking calls into V8 from Mat finalizers during garbage
    // collection, which aborts Node 20+ at random ("Check failed: marking_done_", UrielCh/opencv4nodejs
    // issues #134 and #148). Without it, V8 does not see Mat memory: release() large Mats you drop.
    process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
    try {
      // The loader reports its search for a build on stdout; our logs say what matters.
      const { Log } = await import('@u4/opencv-build');
      Log.silence = true;
      const mod = await import('@u4/opencv4nodejs');
      ready = mod.cv;
      return mod.cv;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(
        `OpenCV addon could not be loaded (${reason}). Run "bash scripts/setup.sh" to install libopencv-dev and build it.`,
      );
    }
  })();
  return loaded;
}

/** OpenCV once `loadOpenCV()` has resolved (creating any detector does that); throws before. */
export function openCV(): CV {
  if (!ready) throw new Error('OpenCV is not loaded yet: await loadOpenCV() first');
  return ready;
}
