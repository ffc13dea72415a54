// Draws what the engine sees onto a frame and writes it to a video file (`process --video-out`).
// Only built on request: the agent keeps no video unless asked.
import type { Scene, SceneCounts } from '../analytics/index.ts';
import type { CV, Mat } from '../cv.ts';
import type { Tracks } from '../types.ts';

type VideoWriter = InstanceType<CV['VideoWriter']>;

/** A fixed colour per id, so a person keeps their colour through the video. */
function colourOf(cv: CV, id: number): InstanceType<CV['Vec3']> {
  const h = (id * 2654435761) >>> 0;
  return new cv.Vec3(64 + (h & 0x7f), 64 + ((h >> 8) & 0x7f), 64 + ((h >> 16) & 0x7f));
}

/** Where a label's baseline goes near (x, y), kept inside the picture (an area or line on its edge). */
function labelAt(cv: CV, mat: Mat, x: number, y: number): InstanceType<CV['Point2']> {
  return new cv.Point2(Math.min(Math.max(2, x), mat.cols - 40), Math.min(Math.max(14, y), mat.rows - 4));
}

export class Annotator {
  private writer: VideoWriter | undefined;

  constructor(
    private readonly cv: CV,
    private readonly path: string,
    private readonly fps: number,
  ) {}

  draw(mat: Mat, tracks: Tracks, scene: Scene, counts: SceneCounts): void {
    const cv = this.cv;
    const zoneColour = new cv.Vec3(0, 200, 255);
    const lineColour = new cv.Vec3(255, 0, 255);
    for (const z of scene.zones) {
      mat.drawPolylines([z.polygon.map(([x, y]) => new cv.Point2(x, y))], true, zoneColour, 2);
      const occupancy = counts.zones.find((c) => c.zoneId === z.id)?.occupancy ?? 0;
      const [x, y] = z.polygon[0]!;
      mat.putText(
        `${z.name}: ${occupancy}`,
        labelAt(cv, mat, x, y - 4),
        cv.FONT_HERSHEY_SIMPLEX,
        0.5,
        zoneColour,
        1,
      );
    }
    for (const l of scene.lines) {
      mat.drawLine(new cv.Point2(l.start[0], l.start[1]), new cv.Point2(l.end[0], l.end[1]), lineColour, 2);
      const c = counts.lines.find((x) => x.lineId === l.id);
      mat.putText(
        `${l.name} in ${c?.in ?? 0} out ${c?.out ?? 0}`,
        labelAt(cv, mat, l.start[0] + 4, l.start[1]),
        cv.FONT_HERSHEY_SIMPLEX,
        0.5,
        lineColour,
        1,
      );
    }
    for (let i = 0; i < tracks.count; i++) {
      const b = tracks.boxes;
      const colour = colourOf(cv, tracks.ids[i]!);
      mat.drawRectangle(
        new cv.Point2(b[i * 4]!, b[i * 4 + 1]!),
        new cv.Point2(b[i * 4 + 2]!, b[i * 4 + 3]!),
        colour,
        2,
      );
      mat.putText(
        String(tracks.ids[i]),
        new cv.Point2(b[i * 4]!, b[i * 4 + 1]! - 3),
        cv.FONT_HERSHEY_SIMPLEX,
        0.5,
        colour,
        2,
      );
    }
    mat.putText(
      `visitors ${counts.tracksStarted}  now ${counts.active}`,
      new cv.Point2(10, 20),
      cv.FONT_HERSHEY_SIMPLEX,
      0.6,
      new cv.Vec3(255, 255, 255),
      2,
    );
  }

  async write(mat: Mat): Promise<void> {
    this.writer ??= new this.cv.VideoWriter(
      this.path,
      this.cv.VideoWriter.fourcc('mp4v'),
      this.fps,
      new this.cv.Size(mat.cols, mat.rows),
      true,
    );
    await this.writer.writeAsync(mat);
  }

  close(): void {
    this.writer?.release();
  }
}
