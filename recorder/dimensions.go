package recorder

// frameSize returns the picture size carried in a VP8 or VP9 keyframe.
func frameSize(c codec, key []byte) (width, height int, ok bool) {
	switch c {
	case codecVP8:
		return vp8Size(key)
	case codecVP9:
		return vp9Size(key)
	}
	return 0, 0, false
}

// vp8Size reads the frame header of a VP8 keyframe (RFC 6386, section 9.1).
func vp8Size(b []byte) (int, int, bool) {
	if len(b) < 10 || b[0]&1 != 0 || b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		return 0, 0, false
	}
	w := int(b[6]) | int(b[7]&0x3f)<<8
	h := int(b[8]) | int(b[9]&0x3f)<<8
	return w, h, w > 0 && h > 0
}

// bitReader reads big-endian bit fields.
type bitReader struct {
	b   []byte
	pos int
	bad bool
}

func (r *bitReader) bits(n int) int {
	v := 0
	for range n {
		if r.pos >= 8*len(r.b) {
			r.bad = true
			return 0
		}
		v = v<<1 | int(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

// vp9Size reads the uncompressed header of a VP9 keyframe (VP9 bitstream spec, 6.2).
func vp9Size(b []byte) (int, int, bool) {
	r := &bitReader{b: b}
	if r.bits(2) != 2 { // frame_marker
		return 0, 0, false
	}
	profile := r.bits(1) | r.bits(1)<<1
	if profile == 3 {
		r.bits(1) // reserved_zero
	}
	if r.bits(1) == 1 { // show_existing_frame
		return 0, 0, false
	}
	if r.bits(1) != 0 { // frame_type: 0 is a keyframe
		return 0, 0, false
	}
	r.bits(2) // show_frame, error_resilient_mode
	if r.bits(24) != 0x498342 {
		return 0, 0, false
	}
	if profile >= 2 {
		r.bits(1) // ten_or_twelve_bit
	}
	const csRGB = 7
	if r.bits(3) != csRGB {
		r.bits(1) // color_range
		if profile == 1 || profile == 3 {
			r.bits(3) // subsampling_x, subsampling_y, reserved_zero
		}
	} else if profile == 1 || profile == 3 {
		r.bits(1) // reserved_zero
	}
	w, h := r.bits(16)+1, r.bits(16)+1
	return w, h, !r.bad
}
