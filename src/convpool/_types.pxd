# The pixel types of convpool's kernels and their conversions, shared by the convolution
# (_conv.pxi.in) and pooling (_pool.pxi.in) kernels.
#
# The kernels take every image and output as bytes (a uint8 view of rows that are
# contiguous within themselves) plus a dtype code, and cast the row pointers to one of
# these types; a fused function is compiled only for the types a kernel asks for.

from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t

ctypedef fused pixel_t:
    uint8_t
    int8_t
    uint16_t
    int16_t
    uint32_t
    int32_t
    uint64_t
    int64_t
    float
    double

# The integer path's accumulators.
ctypedef fused acc_t:
    int16_t
    int32_t
    int64_t

# What convolve stores.
ctypedef fused out_t:
    uint8_t
    uint16_t
    int16_t
    float
    double


cdef inline out_t _put(double v, out_t* kind) noexcept nogil:
    # A float64 result as the output type: the integer types clamp to their range, then
    # truncate toward zero (the codelab's store into its uint8 image); NaN becomes 0.
    # The float types round to nearest (float32 overflows to +-inf). ``kind`` only
    # chooses the specialisation.
    if out_t is uint8_t:
        if not v > 0.0:
            return 0
        if v >= 255.0:
            return 255
        return <uint8_t>v
    elif out_t is uint16_t:
        if not v > 0.0:
            return 0
        if v >= 65535.0:
            return 65535
        return <uint16_t>v
    elif out_t is int16_t:
        if v != v:
            return 0
        if v <= -32768.0:
            return -32768
        if v >= 32767.0:
            return 32767
        return <int16_t>v
    else:
        return <out_t>v
