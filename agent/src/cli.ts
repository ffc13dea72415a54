// `oskartrack-agent`: the edge agent's command line.
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatCheck } from './check/format.ts';
import { checkCommand } from './commands/check.ts';
import { doctor } from './commands/doctor.ts';
import { enroll } from './commands/enroll.ts';
import { formatReport, runEval } from './commands/eval.ts';
import { run } from './commands/live.ts';
import { processRecording, summary } from './commands/process.ts';
import { statusReport } from './commands/status.ts';
import { stopOnSignal } from './commands/stop-signal.ts';
import { isModelName, MODELS, pullModel } from './detect/models.ts';
import { dataDir } from './paths.ts';
import { installService } from './service/install.ts';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}
function positiveInt(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function score(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('must be a score above 0 and at most 1, e.g. 0.3');
  return n;
}

// No default here: a --model without --detector means YOLOX (engineChoice).
const detectorOption = () =>
  new Option('--detector <kind>', 'person detector (default: hog, or yolox with --model)').choices([
    'hog',
    'yolox',
  ]);

/** The engine options as given, the detector chosen: a model file only makes sense for YOLOX. */
function engineChoice<O extends { detector?: 'hog' | 'yolox'; model?: string }>(o: O) {
  if (o.detector === 'hog' && o.model)
    throw new InvalidArgumentError(
      '--model is a YOLOX model: leave --detector hog out, or give --detector yolox',
    );
  return { ...o, detector: o.detector ?? (o.model ? 'yolox' : 'hog') };
}
const engineOptions = (cmd: Command) =>
  cmd
    .addOption(detectorOption())
    .option('--model <path>', 'YOLOX ONNX file or model name (yolox-nano, ...)')
    .option('--fps <n>', 'frame rate of the recording (headers lie)', positiveNumber)
    .option('--zones <file>', 'areas and counting lines (JSON)')
    .option(
      '--every-nth <n>',
      "run the detector on every Nth frame only; 'auto' chooses 1 to 4 to keep up (default: auto for process, 1 for eval)",
      (v: string) => (v === 'auto' ? v : positiveInt(v)),
    )
    .option('--keep-up <fps>', "frame rate 'auto' keeps up with (default: the recording's)", positiveNumber)
    .option('--motion-gate', 'skip detection on frames where nothing moved')
    .option(
      '--no-box-motion',
      'between detections, only extrapolate boxes (do not follow them in the picture)',
    )
    .option('--score-threshold <s>', 'minimum detection score (above 0, at most 1)', score)
    .option('--lanes <n>', 'frames detected at the same time (default 2 on 2 or more cores)', positiveInt)
    .option('--max-frames <n>', 'stop after this many frames', positiveInt);

const program = new Command('oskartrack-agent').description('OskarTrack edge agent').showHelpAfterError();

engineOptions(
  program.command('process').argument('<video>', 'video file').description('count people in a recording'),
)
  .option('--events-out <file>', 'events as JSON lines')
  .option('--tracks-out <file>', 'tracks in MOTChallenge format')
  .option('--video-out <file>', 'annotated video (boxes, ids, areas, lines, counts)')
  .action(async (video: string, o) => {
    const result = await processRecording({
      video,
      ...engineChoice(o),
      progress: true,
      signal: stopOnSignal(),
    });
    console.log(summary(result));
  });

engineOptions(program.command('eval').description('score tracking against MOTChallenge ground truth'))
  .requiredOption('--gt <file>', 'ground truth (MOTChallenge gt.txt)')
  .option('--video <file>', 'run the engine on this video')
  .option('--tracks <file>', 'score this MOTChallenge result file instead of running the engine')
  .option('--json', 'print the report as one JSON object on the last line')
  .action(async (o) => {
    const report = await runEval({ ...engineChoice(o), progress: !o.json });
    console.log(formatReport(report));
    if (o.json) console.log(JSON.stringify(report));
  });

program
  .command('enroll')
  .description("trade the hub's one-time enrollment code for this box's credential")
  .requiredOption('--hub <url>', 'address of the hub, e.g. https://hub.example.com:8080')
  .requiredOption('--code <code>', 'enrollment code shown on the hub (it carries the hub fingerprint)')
  .option('--name <name>', 'a name for this box')
  .option('--mqtt-url <url>', "the hub's MQTT address, when it differs from what the hub says")
  .option('--data-dir <dir>', 'agent data directory')
  .action(async (o) => {
    const id = await enroll({
      ...o,
      dataDir: dataDir(o.dataDir),
      warn: (message: string) => console.error(`warning: ${message}`),
    });
    if (id.replaced)
      console.log(
        `This box was ${id.replaced.deviceId} on this hub: ${id.deviceId} has its name now, and once it runs it takes over its ${id.replaced.cameras} camera(s) and the old credential stops working.`,
      );
    const where = o.dataDir ? ` --data-dir ${o.dataDir}` : '';
    console.log(`Enrolled as ${id.deviceId}. Start counting with: npx --no oskartrack-agent run${where}`);
  });

program
  .command('run')
  .description('run the agent: cameras from the hub, events to the hub')
  .option('--data-dir <dir>', 'agent data directory')
  .action(async (o) => run(dataDir(o.dataDir)));

program
  .command('status')
  .description('check the camera, the detector, the hub link and the outbox on this box')
  .option('--data-dir <dir>', 'agent data directory')
  .action((o) => {
    const r = statusReport(dataDir(o.dataDir));
    console.log(r.text);
    if (!r.ok) process.exitCode = 1;
  });

program
  .command('check')
  .argument('[source]', "video file, stream address or webcam number (default: this box's camera)")
  .description('camera check: does this view count well? person size, people found, speed, advice')
  .option('--camera <id>', 'a camera of this box (from the hub), instead of [source]')
  .option('--seconds <n>', 'seconds of video to look at (default 60)', positiveInt)
  .addOption(
    new Option('--detector <kind>', "detector the box uses (default: the box's, else hog)").choices([
      'hog',
      'yolox',
    ]),
  )
  .option('--model <path>', 'YOLOX ONNX file or model name (yolox-nano, ...)')
  .option('--fps <n>', 'frame rate of the camera or file (headers lie)', positiveNumber)
  .option('--no-other', 'only the configured detector, not the other one on a sample')
  .option('--json', 'print the result as one JSON object')
  .option('--data-dir <dir>', 'agent data directory')
  .action(async (source: string | undefined, o) => {
    const { check } = await checkCommand({
      ...o,
      source,
      noOther: o.other === false,
      dataDir: dataDir(o.dataDir),
    });
    console.log(o.json ? JSON.stringify(check) : formatCheck(check));
  });

program
  .command('doctor')
  .description('test, one line each, what the box needs: identity, hub address, MQTT login, disk, cameras')
  .option('--data-dir <dir>', 'agent data directory')
  .option('--timeout <seconds>', 'for each network step', positiveNumber, 5)
  .action(async (o) => {
    const r = await doctor({ dataDir: dataDir(o.dataDir), timeoutMs: o.timeout * 1000 });
    console.log(r.text);
    if (!r.ok) process.exitCode = 1;
  });

program
  .command('install-service')
  .description('run the agent as a systemd service: unit file, system user, data folder modes')
  .option('--data-dir <dir>', 'data folder of the service', '/var/lib/oskartrack')
  .option('--user <name>', 'unprivileged user the service runs as', 'oskartrack')
  .option('--unit-dir <dir>', 'where to write oskartrack-agent.service', '/etc/systemd/system')
  .option('--no-create-user', 'fail instead of creating the user when it is missing')
  .option(
    '--watchdog <seconds>',
    'systemd restarts the agent when it stops answering this long',
    positiveInt,
    60,
  )
  .option('--enable', 'also run systemctl daemon-reload and systemctl enable --now')
  .action(async (o) => {
    const r = await installService({
      unitDir: o.unitDir,
      user: o.user,
      dataDir: o.dataDir,
      createUser: o.createUser,
      node: process.execPath,
      cli: fileURLToPath(new URL('../bin/oskartrack-agent.js', import.meta.url)),
      watchdogSec: o.watchdog,
      enable: o.enable === true,
      log: (line) => console.log(line),
    });
    if (!r.enableCommand || o.enable) return;
    console.log(`Start it now and at every boot with:\n  sudo sh -c '${r.enableCommand}'`);
    console.log(
      `Enrolled yet? If not: sudo -u ${o.user} OSKARTRACK_DATA_DIR=${o.dataDir} oskartrack-agent enroll --hub URL --code CODE`,
    );
  });

const models = program.command('models').description('detector model files');
models
  .command('pull')
  .description('download a YOLOX model into the data folder and check its SHA-256')
  .argument('<name>', `one of ${Object.keys(MODELS).join(', ')}`)
  .option('--sha256 <hex>', 'expected SHA-256 of the file')
  .option('--base-url <url>', 'download from this mirror instead of the official YOLOX release')
  .option('--force', 'download again even when the file is present')
  .option('--data-dir <dir>', 'agent data directory')
  .action(async (name: string, o) => {
    if (!isModelName(name))
      throw new InvalidArgumentError(
        `unknown model "${name}": give one of ${Object.keys(MODELS).join(', ')}`,
      );
    const r = await pullModel(name, {
      dataDir: dataDir(o.dataDir),
      ...(o.sha256 ? { sha256: o.sha256 } : {}),
      ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
      ...(o.force ? { force: true } : {}),
    });
    console.log(
      `${r.downloaded ? 'Downloaded' : 'Already present:'} ${r.path} (${r.bytes} bytes, sha256 ${r.sha256})`,
    );
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`oskartrack-agent: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
