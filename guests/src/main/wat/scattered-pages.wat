;; scattered-pages: dirties pages scattered across its heap, the worst case of a reset that keeps
;; pages resident, and checks that it found none of another tenant's bytes.
;;
;;  linear memory: 64 wasm pages (4 MiB) at start, up to 1024 (64 MiB); no data
;;  +---------+---------+---------+-- ... --+---------+
;;  | 4 KiB   | 4 KiB   | 4 KiB   |         | 4 KiB   |   one 8-byte word written in each chosen page,
;;  +---------+---------+---------+-- ... --+---------+   at a random 8-byte offset inside it
;;
;;  dirty(seed, pages) -> i32:
;;    grow = seed's top byte mod 4 more wasm pages first (0 to 3: the reset must shrink them back)
;;    state = seed | 1;  stamp = a value of this call, never 0
;;    repeat `pages` times:
;;      state = xorshift32(state); page = state mod (memory.size * 16); offset = (state >> 20) & 0xff8
;;      word = load64(page * 4096 + offset)
;;      word is neither 0 nor this call's stamp  ->  foreign += 1   (a byte of another tenant)
;;      store64(page * 4096 + offset, stamp)
;;    returns foreign: 0 in a fresh instance, on any slot, whatever ran there before
(module
  (memory (export "memory") 64 1024)

  (func (export "dirty") (param $seed i32) (param $pages i32) (result i32)
    (local $state i32) (local $stamp i64) (local $i i32) (local $addr i32) (local $word i64)
    (local $foreign i32) (local $count i32)
    (if (i32.eq (memory.grow (i32.and (i32.shr_u (local.get $seed) (i32.const 24)) (i32.const 3)))
                (i32.const -1))
      (then unreachable))
    (local.set $state (i32.or (local.get $seed) (i32.const 1)))
    (local.set $stamp (i64.or (i64.shl (i64.extend_i32_u (local.get $state)) (i64.const 32))
                              (i64.const 0x5ca77e)))
    (local.set $count (i32.shl (memory.size) (i32.const 4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $pages)))
        (local.set $state (i32.xor (local.get $state) (i32.shl (local.get $state) (i32.const 13))))
        (local.set $state (i32.xor (local.get $state) (i32.shr_u (local.get $state) (i32.const 17))))
        (local.set $state (i32.xor (local.get $state) (i32.shl (local.get $state) (i32.const 5))))
        (local.set $addr (i32.add (i32.shl (i32.rem_u (local.get $state) (local.get $count)) (i32.const 12))
                                  (i32.and (i32.shr_u (local.get $state) (i32.const 20)) (i32.const 0xff8))))
        (local.set $word (i64.load (local.get $addr)))
        (if (i32.and (i64.ne (local.get $word) (i64.const 0)) (i64.ne (local.get $word) (local.get $stamp)))
          (then (local.set $foreign (i32.add (local.get $foreign) (i32.const 1)))))
        (i64.store (local.get $addr) (local.get $stamp))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $foreign))
)
