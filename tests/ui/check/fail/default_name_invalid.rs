use health_core::prelude::*;

#[health_check]
async fn café() -> Result<(), String> {
    todo!()
}

#[health_check]
async fn a_check_whose_function_name_is_far_too_long_to_be_a_metric_label_at_all() -> bool {
    todo!()
}

fn main() {}
