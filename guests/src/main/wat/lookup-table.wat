;; lookup-table: a guest with a large data segment, a 4 MiB lookup table, that it reads and partly
;; writes; the case a memory image is for (every instantiation of Chicory's own memory allocates
;; the 4 MiB and copies the segment into it).
;;
;;  linear memory: 65 wasm pages (4 MiB + 64 KiB), up to 80
;;  0         65536                                                      4 MiB + 64 KiB
;;  +---------+------------------------------------------------------------+
;;  | (stack, | table: 1048576 little-endian u32, entry i = i * 0x9E3779B1  |
;;  |  free)  | (mod 2^32): one active data segment, 4 MiB                 |
;;  +---------+------------------------------------------------------------+
;;
;; The data segment is not in this file: the build writes it in place of the marker below (the
;; formula above, the script src/build/assemble-guests.sh), so that no 4 MiB of opaque bytes are
;; committed. A guest checks each entry it reads against the same formula.
;;
;;  run(seed, lookups) -> i32, foreign entries:
;;    state = seed | 1; stamp = a value of this call, never 0
;;    repeat `lookups` times:
;;      state = xorshift32(state); i = state & 0xfffff; v = table[i]
;;      v is neither i * 0x9E3779B1 nor that xor this call's stamp -> foreign += 1 (another tenant's)
;;      every 8th lookup: table[i] = (i * 0x9E3779B1) xor stamp (the memory's image must come back)
;;  sum(seed, lookups) -> i32: the same lookups, read only: the wrapping sum of the entries read
(module
  (memory (export "memory") 65 80)
  (global $table i32 (i32.const 65536))

  (func $next (param $state i32) (result i32)
    (local.set $state (i32.xor (local.get $state) (i32.shl (local.get $state) (i32.const 13))))
    (local.set $state (i32.xor (local.get $state) (i32.shr_u (local.get $state) (i32.const 17))))
    (i32.xor (local.get $state) (i32.shl (local.get $state) (i32.const 5))))

  (func (export "run") (param $seed i32) (param $lookups i32) (result i32)
    (local $state i32) (local $stamp i32) (local $n i32) (local $i i32) (local $at i32)
    (local $v i32) (local $want i32) (local $foreign i32)
    (local.set $state (i32.or (local.get $seed) (i32.const 1)))
    (local.set $stamp (i32.or (i32.rotl (local.get $state) (i32.const 7)) (i32.const 1)))
    (block $done
      (loop $lookup
        (br_if $done (i32.ge_u (local.get $n) (local.get $lookups)))
        (local.set $state (call $next (local.get $state)))
        (local.set $i (i32.and (local.get $state) (i32.const 0xfffff)))
        (local.set $at (i32.add (global.get $table) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $v (i32.load (local.get $at)))
        (local.set $want (i32.mul (local.get $i) (i32.const 0x9E3779B1)))
        (if (i32.and (i32.ne (local.get $v) (local.get $want))
                     (i32.ne (local.get $v) (i32.xor (local.get $want) (local.get $stamp))))
          (then (local.set $foreign (i32.add (local.get $foreign) (i32.const 1)))))
        (if (i32.eqz (i32.and (local.get $n) (i32.const 7)))
          (then (i32.store (local.get $at) (i32.xor (local.get $want) (local.get $stamp)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $lookup)))
    (local.get $foreign))

  (func (export "sum") (param $seed i32) (param $lookups i32) (result i32)
    (local $state i32) (local $n i32) (local $sum i32)
    (local.set $state (i32.or (local.get $seed) (i32.const 1)))
    (block $done
      (loop $lookup
        (br_if $done (i32.ge_u (local.get $n) (local.get $lookups)))
        (local.set $state (call $next (local.get $state)))
        (local.set $sum (i32.add (local.get $sum)
          (i32.load (i32.add (global.get $table)
                             (i32.shl (i32.and (local.get $state) (i32.const 0xfffff)) (i32.const 2))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $lookup)))
    (local.get $sum))

  ;; @lookup-table 65536 1048576@  (the build puts the data segment here: offset, entries)
)
