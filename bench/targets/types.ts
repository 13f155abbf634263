/** What a scenario needs from a server under test, whichever implementation it is. */

/** belfry: the system measured; peer: Socket.IO on Node; ceiling: bare Bun topics. */
export type TargetName = "belfry" | "peer" | "ceiling";

/** Wire dialect the load generators speak: belfry's JSON frames or Engine.IO/Socket.IO packets. */
export type Protocol = "belfry" | "socketio";

export interface RunningTarget {
  name: TargetName;
  label: string;
  protocol: Protocol;
  /** WebSocket base URLs (without token); load generators spread sockets over them round-robin. */
  wsUrls: string[];
  ingestUrl: string;
  ingestKey: string;
  jwtSecret: string;
  /** Root pids of the server processes; RSS and CPU are summed over them and their descendants. */
  pids: number[];
  /** Server processes serving sockets (cluster workers count). */
  processes: number;
  /** Describes server processes that died during the run (with their log), empty when all are alive. */
  crashes(): string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Server processes to run (1 = single process). */
  processes: number;
  /** Loopback destination addresses to spread clients over. */
  addresses: number;
  databaseUrl: string;
  redisUrl: string;
  /** Unique per run so concurrent runs and the other test suites never share channels. */
  redisPrefix: string;
  /** How belfry runs several processes: its own WORKERS=N cluster mode, or N separate processes. */
  clusterMode: "workers" | "procs";
  /** An already-running belfry to target instead of starting one (its secrets come from the environment). */
  external?: { url: string; jwtSecret: string; ingestKey: string; pids: number[] };
  /** Directory for Bun CPU profiles of belfry (written when it exits), or undefined for none. */
  profileDir?: string;
}
