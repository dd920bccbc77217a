package io.pktring.connect.filter;

/**
 * A classic BPF program (as libpcap compiles it) and its interpreter, following libpcap's
 * bpf_filter.c and the kernel: a load outside the captured bytes, a scratch index out of range or
 * a division by zero rejects the packet. Jumps only go forward, so every run ends.
 */
final class BpfProgram {
    // instruction classes, sizes, modes, operations and sources (linux/bpf_common.h)
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    static final int W = 0x00, H = 0x08, B = 0x10;
    static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
    static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
            NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    static final int K = 0x00, X = 0x08, A = 0x10;
    static final int TAX = 0x00, TXA = 0x80;
    static final int MEMWORDS = 16, MAXINSNS = 4096;

    private final short[] code;
    private final byte[] jt, jf;
    private final int[] k;

    /** Checks the program as the kernel's bpf_check_classic does; throws if it could misbehave. */
    BpfProgram(short[] code, byte[] jt, byte[] jf, int[] k) throws FilterException {
        this.code = code;
        this.jt = jt;
        this.jf = jf;
        this.k = k;
        validate();
    }

    int length() {
        return code.length;
    }

    private void validate() throws FilterException {
        int n = code.length;
        if (n == 0 || n > MAXINSNS) {
            throw new FilterException("BPF program of " + n + " instructions (1 to " + MAXINSNS + " allowed)");
        }
        for (int pc = 0; pc < n; pc++) {
            int c = code[pc] & 0xffff;
            boolean ok = c <= 0xff && switch (c & 0x07) {
                case LD -> c == (LD | W | ABS) || c == (LD | H | ABS) || c == (LD | B | ABS) || c == (LD | W | IND)
                        || c == (LD | H | IND) || c == (LD | B | IND) || c == (LD | W | LEN) || c == (LD | IMM)
                        || (c == (LD | MEM) && Integer.compareUnsigned(k[pc], MEMWORDS) < 0);
                case LDX -> c == (LDX | W | LEN) || c == (LDX | IMM) || c == (LDX | B | MSH)
                        || (c == (LDX | MEM) && Integer.compareUnsigned(k[pc], MEMWORDS) < 0);
                case ST, STX -> (c & 0xf8) == 0 && Integer.compareUnsigned(k[pc], MEMWORDS) < 0;
                case ALU -> {
                    int op = c & 0xf0;
                    boolean divByZero = (op == DIV || op == MOD) && (c & X) == K && k[pc] == 0;
                    yield op <= XOR && (op != NEG || c == (ALU | NEG)) && !divByZero;
                }
                case JMP -> {
                    int op = c & 0xf0;
                    if (c == (JMP | JA)) {
                        yield Integer.compareUnsigned(k[pc], n - pc - 1) < 0;
                    }
                    yield op >= JEQ && op <= JSET
                            && pc + 1 + (jt[pc] & 0xff) < n && pc + 1 + (jf[pc] & 0xff) < n;
                }
                case RET -> c == (RET | K) || c == (RET | A) || c == (RET | X);
                case MISC -> c == (MISC | TAX) || c == (MISC | TXA);
                default -> false;
            };
            if (!ok) {
                throw new FilterException("libpcap produced BPF instruction " + pc + " (code 0x" + Integer.toHexString(c)
                        + ", k " + k[pc] + ") that this interpreter does not accept");
            }
        }
        if ((code[n - 1] & 0x07) != RET) {
            throw new FilterException("BPF program does not end with a return instruction");
        }
    }

    /**
     * Runs the program over a packet: p[0, caplen) are the captured bytes, wirelen its length on
     * the wire (what "len" loads). True when the program returns non-zero (accept).
     */
    boolean run(byte[] p, int caplen, int wirelen) {
        int buflen = Math.max(0, Math.min(caplen, p.length));
        int a = 0, x = 0;
        int[] mem = null;
        for (int pc = 0; ; pc++) {
            int c = code[pc] & 0xffff;
            int kk = k[pc];
            switch (c) {
                case LD | W | ABS -> {
                    if (outside(kk, 4, buflen)) return false;
                    a = be32(p, kk);
                }
                case LD | H | ABS -> {
                    if (outside(kk, 2, buflen)) return false;
                    a = be16(p, kk);
                }
                case LD | B | ABS -> {
                    if (outside(kk, 1, buflen)) return false;
                    a = p[kk] & 0xff;
                }
                case LD | W | IND -> {
                    long off = (x & 0xffffffffL) + (kk & 0xffffffffL);
                    if (off + 4 > buflen) return false;
                    a = be32(p, (int) off);
                }
                case LD | H | IND -> {
                    long off = (x & 0xffffffffL) + (kk & 0xffffffffL);
                    if (off + 2 > buflen) return false;
                    a = be16(p, (int) off);
                }
                case LD | B | IND -> {
                    long off = (x & 0xffffffffL) + (kk & 0xffffffffL);
                    if (off + 1 > buflen) return false;
                    a = p[(int) off] & 0xff;
                }
                case LD | W | LEN -> a = wirelen;
                case LDX | W | LEN -> x = wirelen;
                case LDX | B | MSH -> {
                    if (outside(kk, 1, buflen)) return false;
                    x = (p[kk] & 0x0f) << 2;
                }
                case LD | IMM -> a = kk;
                case LDX | IMM -> x = kk;
                case LD | MEM -> a = mem == null ? 0 : mem[kk];
                case LDX | MEM -> x = mem == null ? 0 : mem[kk];
                case ST -> {
                    if (mem == null) mem = new int[MEMWORDS];
                    mem[kk] = a;
                }
                case STX -> {
                    if (mem == null) mem = new int[MEMWORDS];
                    mem[kk] = x;
                }
                case JMP | JA -> pc += kk;
                case JMP | JEQ | K -> pc += a == kk ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JGT | K -> pc += Integer.compareUnsigned(a, kk) > 0 ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JGE | K -> pc += Integer.compareUnsigned(a, kk) >= 0 ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JSET | K -> pc += (a & kk) != 0 ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JEQ | X -> pc += a == x ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JGT | X -> pc += Integer.compareUnsigned(a, x) > 0 ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JGE | X -> pc += Integer.compareUnsigned(a, x) >= 0 ? jt[pc] & 0xff : jf[pc] & 0xff;
                case JMP | JSET | X -> pc += (a & x) != 0 ? jt[pc] & 0xff : jf[pc] & 0xff;
                case ALU | ADD | K -> a += kk;
                case ALU | SUB | K -> a -= kk;
                case ALU | MUL | K -> a *= kk;
                case ALU | DIV | K -> a = Integer.divideUnsigned(a, kk);
                case ALU | MOD | K -> a = Integer.remainderUnsigned(a, kk);
                case ALU | AND | K -> a &= kk;
                case ALU | OR | K -> a |= kk;
                case ALU | XOR | K -> a ^= kk;
                case ALU | LSH | K -> a = Integer.compareUnsigned(kk, 32) < 0 ? a << kk : 0;
                case ALU | RSH | K -> a = Integer.compareUnsigned(kk, 32) < 0 ? a >>> kk : 0;
                case ALU | ADD | X -> a += x;
                case ALU | SUB | X -> a -= x;
                case ALU | MUL | X -> a *= x;
                case ALU | DIV | X -> {
                    if (x == 0) return false;
                    a = Integer.divideUnsigned(a, x);
                }
                case ALU | MOD | X -> {
                    if (x == 0) return false;
                    a = Integer.remainderUnsigned(a, x);
                }
                case ALU | AND | X -> a &= x;
                case ALU | OR | X -> a |= x;
                case ALU | XOR | X -> a ^= x;
                case ALU | LSH | X -> a = Integer.compareUnsigned(x, 32) < 0 ? a << x : 0;
                case ALU | RSH | X -> a = Integer.compareUnsigned(x, 32) < 0 ? a >>> x : 0;
                case ALU | NEG -> a = -a;
                case RET | K -> {
                    return kk != 0;
                }
                case RET | A -> {
                    return a != 0;
                }
                case RET | X -> {
                    return x != 0;
                }
                case MISC | TAX -> x = a;
                case MISC | TXA -> a = x;
                default -> {
                    return false; // unreachable: validate() accepted only the codes above
                }
            }
        }
    }

    private static boolean outside(int k, int size, int buflen) {
        return (k & 0xffffffffL) + size > buflen;
    }

    private static int be32(byte[] p, int off) {
        return ((p[off] & 0xff) << 24) | ((p[off + 1] & 0xff) << 16) | ((p[off + 2] & 0xff) << 8) | (p[off + 3] & 0xff);
    }

    private static int be16(byte[] p, int off) {
        return ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
    }
}
