package io.warmpool.wasm.memory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;

import java.util.List;
import java.util.OptionalLong;

/**
 * The value of a data segment's offset: a constant expression of {@code i32.const}, {@code global.get}
 * and the extended-constant {@code i32.add}/{@code i32.sub}/{@code i32.mul}, as an unsigned 32-bit
 * number. Chicory's own evaluator is package-private, hence this small one.
 */
public final class ConstantOffset {
    private ConstantOffset() {
    }

    /** The offset, known before any instance exists: empty when the expression reads a global. */
    public static OptionalLong ofModule(List<Instruction> expression) {
        for (Instruction i : expression) {
            if (i.opcode() == OpCode.GLOBAL_GET) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(evaluate(null, expression));
    }

    /**
     * The offset in {@code instance} (whose globals {@code global.get} reads), 0 to 2^32 - 1.
     *
     * @throws InvalidException for an instruction that is not constant
     */
    public static long evaluate(Instance instance, List<Instruction> expression) {
        long[] stack = new long[expression.size() + 1];
        int top = 0;
        for (Instruction i : expression) {
            OpCode op = i.opcode();
            if (op == OpCode.I32_CONST) {
                stack[top++] = i.operand(0);
            } else if (op == OpCode.GLOBAL_GET) {
                if (instance == null) {
                    throw new InvalidException("global.get in a constant expression needs an instance");
                }
                stack[top++] = instance.global((int) i.operand(0)).getValue();
            } else if (op == OpCode.I32_ADD || op == OpCode.I32_SUB || op == OpCode.I32_MUL) {
                if (top < 2) {
                    throw new InvalidException("type mismatch: " + op + " in a constant expression");
                }
                int b = (int) stack[--top];
                int a = (int) stack[--top];
                stack[top++] = op == OpCode.I32_ADD ? a + b : op == OpCode.I32_SUB ? a - b : a * b;
            } else if (op == OpCode.END) {
                break;
            } else {
                throw new InvalidException("constant expression required, not " + op);
            }
        }
        if (top != 1) {
            throw new InvalidException("type mismatch: a constant offset leaves " + top + " values");
        }
        return stack[0] & 0xFFFF_FFFFL;
    }
}
