;; request-handler: a request handler that allocates with a bump allocator and writes its response in
;; its own linear memory, as a function-per-request guest does.
;;
;;  linear memory (64 KiB wasm pages, 1 at start, up to 16)
;;  0          96           256                                   memory.size * 64 KiB
;;  +----------+------------+----------------------------------------+
;;  | header   | request,   | heap: bump-allocated, never freed  ->  |  grows by memory.grow
;;  | template | body texts | request | values | body | response     |  when the next block
;;  +----------+------------+----------------------------------------+  does not fit
;;
;;  handle(id) -> i64:
;;    1. request  = alloc(64):  "GET /items/<id> HTTP/1.1"
;;    2. parse the id back out of the request line (the digits after "/items/")
;;    3. values   = alloc(4 * n), n = id mod 256 + 1, but 4096 for every 1024th id (id mod 1024 = 1023: a
;;                  large report): values[k] = (id * 31 + k) * 0x9E3779B1 (wrapping)
;;    4. body     = alloc(32 + 11 * n): {"id":<id>,"items":[v0,v1,...]}   (unsigned decimal)
;;    5. response = alloc(header + digits + 4 + body): the header template, content-length, CRLF CRLF,
;;                  the body
;;    returns (response address << 32) | response length
;;
;; A request writes from 1 to 3 pages of 4 KiB; a large report about 27 (n = 4096: about 110 KiB, so
;; the memory grows to a second wasm page). Every instance starts with the heap pointer at 256: a fresh instance, so
;; everything the handler reads it wrote itself during this call. A block that would not fit in 16
;; wasm pages traps (unreachable) rather than write past the memory.
(module
  (memory (export "memory") 1 16)
  (global $heap (mut i32) (i32.const 256))
  ;; the constant texts: the response header up to the length (65 bytes), the request line's parts,
  ;; the body's keys
  (data (i32.const 0) "HTTP/1.1 200 OK\0d\0acontent-type: application/json\0d\0acontent-length: ")
  (data (i32.const 96) "GET /items/")
  (data (i32.const 112) " HTTP/1.1")
  (data (i32.const 128) "{\"id\":")
  (data (i32.const 144) ",\"items\":[")

  ;; alloc(size) -> address: 8-byte aligned; grows the memory by whole pages when the block does not fit.
  (func $alloc (param $size i32) (result i32)
    (local $at i32) (local $end i32) (local $have i32)
    (local.set $at (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $at) (local.get $size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq (i32.const -1)
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 0xffff))
                                      (i32.const 16))))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $at))

  ;; digits(v) -> how many decimal digits the unsigned value has (1 for 0)
  (func $digits (param $v i32) (result i32)
    (local $n i32)
    (local.set $n (i32.const 1))
    (block $done
      (loop $more
        (br_if $done (i32.lt_u (local.get $v) (i32.const 10)))
        (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $n))

  ;; utoa(dst, v) -> the address after the digits: writes v in unsigned decimal, most significant first
  (func $utoa (param $dst i32) (param $v i32) (result i32)
    (local $end i32) (local $p i32)
    (local.set $end (i32.add (local.get $dst) (call $digits (local.get $v))))
    (local.set $p (local.get $end))
    (loop $more
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $more (i32.ne (local.get $v) (i32.const 0))))
    (local.get $end))

  ;; put(dst, text address, length) -> dst + length: memory.copy, as a string append
  (func $put (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    (i32.add (local.get $dst) (local.get $len)))

  ;; byte(dst, b) -> dst + 1
  (func $byte (param $dst i32) (param $b i32) (result i32)
    (i32.store8 (local.get $dst) (local.get $b))
    (i32.add (local.get $dst) (i32.const 1)))

  (func (export "handle") (param $id i32) (result i64)
    (local $req i32) (local $p i32) (local $parsed i32) (local $n i32) (local $k i32)
    (local $values i32) (local $body i32) (local $body_len i32) (local $resp i32)

    ;; 1. the request line
    (local.set $req (call $alloc (i32.const 64)))
    (local.set $p (call $put (local.get $req) (i32.const 96) (i32.const 11)))
    (local.set $p (call $utoa (local.get $p) (local.get $id)))
    (drop (call $put (local.get $p) (i32.const 112) (i32.const 9)))

    ;; 2. parse the id back: the digits after "GET /items/"
    (local.set $p (i32.add (local.get $req) (i32.const 11)))
    (block $done
      (loop $digit
        (br_if $done (i32.gt_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)) (i32.const 9)))
        (local.set $parsed (i32.add (i32.mul (local.get $parsed) (i32.const 10))
                                    (i32.sub (i32.load8_u (local.get $p)) (i32.const 48))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digit)))

    ;; 3. the values
    (local.set $n (i32.add (i32.rem_u (local.get $parsed) (i32.const 256)) (i32.const 1)))
    (if (i32.eq (i32.rem_u (local.get $parsed) (i32.const 1024)) (i32.const 1023))
      (then (local.set $n (i32.const 4096))))
    (local.set $values (call $alloc (i32.shl (local.get $n) (i32.const 2))))
    (loop $fill
      (i32.store (i32.add (local.get $values) (i32.shl (local.get $k) (i32.const 2)))
                 (i32.mul (i32.add (i32.mul (local.get $parsed) (i32.const 31)) (local.get $k))
                          (i32.const 0x9E3779B1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $k) (local.get $n))))

    ;; 4. the body: {"id":<id>,"items":[v0,v1,...]}
    (local.set $body (call $alloc (i32.add (i32.const 32) (i32.mul (local.get $n) (i32.const 11)))))
    (local.set $p (call $put (local.get $body) (i32.const 128) (i32.const 6)))
    (local.set $p (call $utoa (local.get $p) (local.get $parsed)))
    (local.set $p (call $put (local.get $p) (i32.const 144) (i32.const 10)))
    (local.set $k (i32.const 0))
    (loop $item
      (if (i32.ne (local.get $k) (i32.const 0))
        (then (local.set $p (call $byte (local.get $p) (i32.const 44)))))  ;; ','
      (local.set $p (call $utoa (local.get $p)
                              (i32.load (i32.add (local.get $values) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $item (i32.lt_u (local.get $k) (local.get $n))))
    (local.set $p (call $byte (local.get $p) (i32.const 93)))   ;; ']'
    (local.set $p (call $byte (local.get $p) (i32.const 125)))  ;; '}'
    (local.set $body_len (i32.sub (local.get $p) (local.get $body)))

    ;; 5. the response: header, content-length, CRLF CRLF, body
    (local.set $resp (call $alloc (i32.add (i32.const 79) (local.get $body_len))))  ;; 65 + 10 digits + 4
    (local.set $p (call $put (local.get $resp) (i32.const 0) (i32.const 65)))
    (local.set $p (call $utoa (local.get $p) (local.get $body_len)))
    (i32.store (local.get $p) (i32.const 0x0a0d0a0d))
    (local.set $p (call $put (i32.add (local.get $p) (i32.const 4)) (local.get $body) (local.get $body_len)))

    (i64.or (i64.shl (i64.extend_i32_u (local.get $resp)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (local.get $p) (local.get $resp)))))
)
