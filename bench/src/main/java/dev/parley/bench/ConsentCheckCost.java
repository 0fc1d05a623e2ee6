package dev.parley.bench;

import dev.parley.peerkit.StunMessage;
import dev.parley.sfu.stun.StunBindingResponder;
import dev.parley.sfu.stun.StunResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * What one ICE consent check costs the media thread: a responder as the media path has one (a password lookup by
 * ufrag), answering browser-shaped checks of {@code participants} transports in turn, as a busy room's checks
 * arrive. Prints the thread CPU time per check after a warm-up, and how much was allocated per check.
 *
 * <p>{@code java -cp bench/target/parley-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/* dev.parley.bench.ConsentCheckCost
 * [participants] [checks]}
 */
public final class ConsentCheckCost {
    private ConsentCheckCost() {}

    public static void main(String[] args) {
        int participants = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int checks = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Map<String, String> passwords = new HashMap<>();
        byte[][] requests = new byte[participants][];
        for (int i = 0; i < participants; i++) {
            String ufrag = "srv" + i;
            String pwd = "password-of-transport-" + i + "-xxxxxxxx";
            passwords.put(ufrag, pwd);
            requests[i] = StunMessage.browserCheck(StunMessage.newTransactionId(), ufrag + ":brw" + i,
                    0x6E7F1EFFL, false, pwd);
        }
        StunBindingResponder responder = new StunBindingResponder(passwords::get);
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 50_000);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) threads;
        long tid = Thread.currentThread().threadId();

        run(responder, requests, from, checks); // warm-up: JIT and the providers' first use
        long cpu0 = threads.getCurrentThreadCpuTime();
        long bytes0 = alloc.getThreadAllocatedBytes(tid);
        long accepted = run(responder, requests, from, checks);
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long bytes = alloc.getThreadAllocatedBytes(tid) - bytes0;
        if (accepted != checks) {
            throw new IllegalStateException("only " + accepted + " of " + checks + " checks were accepted");
        }
        System.out.printf("consent checks: %d transports, %d checks, %.2f µs thread CPU per check, %d bytes allocated per check%n",
                participants, checks, cpu / 1e3 / checks, bytes / checks);
    }

    private static long run(StunBindingResponder responder, byte[][] requests, InetSocketAddress from, int checks) {
        long accepted = 0;
        for (int i = 0; i < checks; i++) {
            byte[] r = requests[i % requests.length];
            if (responder.handle(r, 0, r.length, from) instanceof StunResult.Accepted) {
                accepted++;
            }
        }
        return accepted;
    }
}
