# xtensor_torch_cxx_standard(<out>): the C++ standard the headers need with the torch and xtensor found
# (Torch_VERSION, xtensor_VERSION): 20 where torch 2.13+ (ATen #errors below C++20) or xtensor 0.27+ need it, else 17.
# Used by the project's own build and by the installed package's config, where the consumer's torch is known.
function(xtensor_torch_cxx_standard out)
    set(standard 17)
    if(Torch_VERSION VERSION_GREATER_EQUAL 2.13 OR xtensor_VERSION VERSION_GREATER_EQUAL 0.27)
        set(standard 20)
    endif()
    set(${out} ${standard} PARENT_SCOPE)
endfunction()
