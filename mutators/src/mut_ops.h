/* The operator functions, one per named operator (mut_op_*.c), and the
 * helpers the packet operators share (mut_ops.c). Each operator edits
 * m->model (reading m->donor) and returns 1 when it changed something, 0
 * when it does not apply to this input. */
#ifndef OH_MUT_OPS_H
#define OH_MUT_OPS_H

#include "mut_impl.h"

/* Picks a packet record (idx) and one of its streams (k, never raw) and
 * loads it into m->mp, repairing what does not parse. 0: no packet. */
int oh_pkt_begin(oh_mutator *m, long *idx, int *k);
/* Normalises stream k, equalises the other streams' durations, stores the
 * packet back. 1 when the record's bytes changed. */
int oh_pkt_end(oh_mutator *m, long idx, int k);
/* Stores m->mp into record idx as is (streams already final). 1 when the
 * bytes changed. */
int oh_pkt_commit(oh_mutator *m, long idx);
/* Re-splits record idx's packet from old_n streams into new_n (streams
 * dropped from the end or repeated; durations equalised). 1 if changed. */
int oh_mut_restream(oh_mutator *m, long idx, int old_n, int new_n);
/* Header sample rate, or 48000 when it is not a usable rate. */
uint32_t oh_mut_rate(const oh_mutator *m);
/* A frame size for a loss or a decode call: legal (a 2.5 ms multiple up to
 * 120 ms at the header rate) unless breaking. */
int oh_mut_frame_size(oh_mutator *m, int legal);

#define OH_OP(name) int name(oh_mutator *m)

/* mut_op_packet.c */
OH_OP(oh_op_pkt_config);
OH_OP(oh_op_pkt_stereo);
OH_OP(oh_op_pkt_code);
OH_OP(oh_op_pkt_frame_count);
OH_OP(oh_op_pkt_cbr_vbr);
OH_OP(oh_op_pkt_padding);
OH_OP(oh_op_pkt_frame_dup);
OH_OP(oh_op_pkt_frame_drop);
OH_OP(oh_op_pkt_frame_swap);
OH_OP(oh_op_pkt_frame_splice);
OH_OP(oh_op_pkt_frame_resize);
OH_OP(oh_op_pkt_payload);
OH_OP(oh_op_pkt_repair);
OH_OP(oh_op_ms_stream_swap);
OH_OP(oh_op_ms_stream_replace);
OH_OP(oh_op_raw_bytes);
OH_OP(oh_op_raw_length);
OH_OP(oh_op_raw_splice);
/* mut_op_break.c */
OH_OP(oh_op_brk_r1);
OH_OP(oh_op_brk_r2);
OH_OP(oh_op_brk_r3);
OH_OP(oh_op_brk_r4);
OH_OP(oh_op_brk_r5);
OH_OP(oh_op_brk_r6);
OH_OP(oh_op_brk_r7);
OH_OP(oh_op_brk_len_edge);
OH_OP(oh_op_brk_sd_length);
OH_OP(oh_op_brk_truncate);
OH_OP(oh_op_brk_stream_count);
OH_OP(oh_op_brk_record_truncated);
/* mut_op_record.c */
OH_OP(oh_op_rec_insert);
OH_OP(oh_op_rec_delete);
OH_OP(oh_op_rec_dup);
OH_OP(oh_op_rec_swap);
OH_OP(oh_op_rec_to_loss);
OH_OP(oh_op_rec_insert_loss);
OH_OP(oh_op_rec_loss_size);
OH_OP(oh_op_rec_insert_fec);
OH_OP(oh_op_rec_insert_ctl);
OH_OP(oh_op_rec_ctl_value);
OH_OP(oh_op_rec_insert_reset);
OH_OP(oh_op_rec_insert_recreate);
OH_OP(oh_op_rec_recreate_params);
OH_OP(oh_op_rec_unify_toc);
OH_OP(oh_op_rec_splice);
/* mut_op_header.c */
OH_OP(oh_op_hdr_rate);
OH_OP(oh_op_hdr_channels);
OH_OP(oh_op_hdr_frame_size);
OH_OP(oh_op_hdr_flags);
OH_OP(oh_op_hdr_ms_layout);
OH_OP(oh_op_hdr_ms_mapping);
OH_OP(oh_op_hdr_proj_matrix);
OH_OP(oh_op_hdr_custom);
OH_OP(oh_op_hdr_resynth);
/* mut_op_pipeline.c */
OH_OP(oh_op_pl_model);
OH_OP(oh_op_pl_params);
OH_OP(oh_op_pl_loss);
OH_OP(oh_op_pl_length_lie);
OH_OP(oh_op_pl_tail);
/* mut_op_bytes.c */
OH_OP(oh_op_byte_havoc);
OH_OP(oh_op_byte_container);
OH_OP(oh_op_byte_splice);

#endif
