package webm

import (
	"encoding/binary"
	"math"
)

// Element IDs used by the writer (Matroska/WebM specification).
const (
	idEBML               = 0x1A45DFA3
	idEBMLVersion        = 0x4286
	idEBMLReadVersion    = 0x42F7
	idEBMLMaxIDLength    = 0x42F2
	idEBMLMaxSizeLength  = 0x42F3
	idDocType            = 0x4282
	idDocTypeVersion     = 0x4287
	idDocTypeReadVersion = 0x4285

	idSegment      = 0x18538067
	idSeekHead     = 0x114D9B74
	idSeek         = 0x4DBB
	idSeekID       = 0x53AB
	idSeekPosition = 0x53AC
	idVoid         = 0xEC

	idInfo          = 0x1549A966
	idTimecodeScale = 0x2AD7B1
	idMuxingApp     = 0x4D80
	idWritingApp    = 0x5741
	idDuration      = 0x4489
	idDateUTC       = 0x4461

	idTracks            = 0x1654AE6B
	idTrackEntry        = 0xAE
	idTrackNumber       = 0xD7
	idTrackUID          = 0x73C5
	idTrackType         = 0x83
	idFlagLacing        = 0x9C
	idCodecID           = 0x86
	idCodecPrivate      = 0x63A2
	idCodecDelay        = 0x56AA
	idSeekPreRoll       = 0x56BB
	idVideo             = 0xE0
	idPixelWidth        = 0xB0
	idPixelHeight       = 0xBA
	idAudio             = 0xE1
	idSamplingFrequency = 0xB5
	idChannels          = 0x9F

	idCluster     = 0x1F43B675
	idTimecode    = 0xE7
	idSimpleBlock = 0xA3

	idCues               = 0x1C53BB6B
	idCuePoint           = 0xBB
	idCueTime            = 0xB3
	idCueTrackPositions  = 0xB7
	idCueTrack           = 0xF7
	idCueClusterPosition = 0xF1
)

// unknownSize is the 8-byte "size unknown" marker: a reader of a file cut short by
// a crash reads such an element up to the end of the file.
const unknownSize = 0x01FFFFFFFFFFFFFF

func appendID(b []byte, id uint32) []byte {
	switch {
	case id >= 1<<24:
		return append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<16:
		return append(b, byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<8:
		return append(b, byte(id>>8), byte(id))
	}
	return append(b, byte(id))
}

// appendSize appends n as the shortest EBML variable-size integer.
func appendSize(b []byte, n uint64) []byte {
	for l := 1; l <= 8; l++ {
		if n < 1<<(7*l)-1 {
			return appendSizeLen(b, n, l)
		}
	}
	return appendSizeLen(b, n, 8)
}

// appendSizeLen appends n as an EBML variable-size integer of exactly l bytes.
func appendSizeLen(b []byte, n uint64, l int) []byte {
	n |= 1 << (7 * l)
	for i := l - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

func appendUint(b []byte, id uint32, v uint64) []byte {
	l := 1
	for l < 8 && v >= 1<<(8*l) {
		l++
	}
	b = appendID(b, id)
	b = append(b, 0x80|byte(l))
	for i := l - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// appendUint8 appends an unsigned integer element that always takes 8 bytes, so it can be patched later.
func appendUint8(b []byte, id uint32, v uint64) []byte {
	b = appendID(b, id)
	b = append(b, 0x88)
	return binary.BigEndian.AppendUint64(b, v)
}

func appendFloat(b []byte, id uint32, v float64) []byte {
	b = appendID(b, id)
	b = append(b, 0x88)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
}

func appendBytes(b []byte, id uint32, v []byte) []byte {
	b = appendID(b, id)
	b = appendSize(b, uint64(len(v)))
	return append(b, v...)
}

func appendString(b []byte, id uint32, v string) []byte {
	return appendBytes(b, id, []byte(v))
}

// appendMaster appends a master element whose children are already encoded.
func appendMaster(b []byte, id uint32, children []byte) []byte {
	return appendBytes(b, id, children)
}

// appendVoid appends a Void element that takes exactly n bytes. No Void is smaller
// than 2 bytes; for n < 2 nothing is appended.
func appendVoid(b []byte, n int) []byte {
	if n < 2 {
		return b
	}
	if n-2 < 127 {
		b = append(b, idVoid, 0x80|byte(n-2))
		return append(b, make([]byte, n-2)...)
	}
	b = append(b, idVoid)
	b = appendSizeLen(b, uint64(n-9), 8)
	return append(b, make([]byte, n-9)...)
}
