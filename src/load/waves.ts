/**
 * The pause between one wave's close and the next wave's burst, in both engines (rd-load gets it
 * as --wave-pause-ms). Measured on the bare acceptor (`bench --trigger et --threads 4 --accept
 * once --accept-delay 0`, scripts/gate-rate.ts, docs/perf.md): with rd-load opening the next
 * wave right after closing the last one, a later wave caught the lost connections in about 1 of
 * 7 bursts, against about 2 in 5 with this pause, as the first wave does: the server's CPUs
 * are still awake from serving the wave when the burst comes, and the race shows when the
 * burst finds them idle, as a fresh ab run does. It adds 10 ms per wave to a healthy run.
 */
export const WAVE_PAUSE_MS = 10
